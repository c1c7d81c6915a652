import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { executePrepared } from "@/db/prepared";
import { decryptCode } from "@/lib/codes/code-crypto";
import { publicLeaf } from "@/lib/fairness/seeds";
import type { GameId } from "@/lib/games/model";
import type { RoundRecord } from "@/lib/games/round-record";
import type { PublicLeaf } from "@/lib/games/verify-round";
import { codeIsShown, type RedemptionStatus } from "@/lib/redemptions/model";
import { type Currency, formatCoins } from "@/lib/wallet/model";
import { ROUNDS_PAGE_MAX, type RoundView } from "./model";

type RoundRow = {
  id: string;
  user_id: string;
  idempotency_key: string;
  request_hash: Buffer;
  game: GameId;
  currency: Currency;
  stake: string;
  payout: string;
  params: Record<string, unknown>;
  outcome: Record<string, unknown>;
  server_seed_hash: string;
  client_seed: string;
  nonce: number;
  balance_after: string;
  prize_id: string | null;
  created_at: string | Date;
  redemption_id: string | null;
  redemption_status: RedemptionStatus | null;
  code_ciphertext: Buffer | null;
  code_key_id: string | null;
};

const COLUMNS = sql`r.id, r.user_id, r.idempotency_key, r.request_hash, r.game, r.currency,
  r.stake, r.payout, r.params, r.outcome, f.server_seed_hash, r.client_seed, r.nonce,
  r.balance_after, r.prize_id, to_json(r.created_at) #>> '{}' as created_at,
  d.id as redemption_id, d.status as redemption_status, d.code_ciphertext, d.code_key_id`;
/** A round's prize redemption, when it won one. */
const PRIZE_JOIN = sql`left join redemptions d on d.round_id = r.id`;

function toView(r: RoundRow): RoundView {
  return {
    id: r.id,
    game: r.game,
    currency: r.currency,
    stake: formatCoins(BigInt(r.stake)),
    payout: formatCoins(BigInt(r.payout)),
    outcome: r.outcome,
    serverSeedHash: r.server_seed_hash,
    clientSeed: r.client_seed,
    nonce: r.nonce,
    balanceAfter: formatCoins(BigInt(r.balance_after)),
    playedAt: new Date(r.created_at).toISOString(),
    prizeId: r.prize_id,
    redemption:
      r.redemption_id && r.redemption_status && r.code_ciphertext && r.code_key_id
        ? {
            id: r.redemption_id,
            status: r.redemption_status,
            code: codeIsShown(r.redemption_status)
              ? decryptCode(new Uint8Array(r.code_ciphertext), r.code_key_id)
              : null,
          }
        : null,
  };
}

/** Rounds played under the given keys, by `${playerId}\0${key}`. */
export async function findRounds(
  db: DbOrTx,
  keys: { playerId: string; key: string }[],
): Promise<Map<string, { requestHash: Uint8Array; view: RoundView }>> {
  const found = new Map<string, { requestHash: Uint8Array; view: RoundView }>();
  if (keys.length === 0) return found;
  const rows = await executePrepared<RoundRow>(
    db,
    sql`
    select ${COLUMNS} from game_rounds r join fair_seeds f on f.id = r.seed_id ${PRIZE_JOIN}
    where (r.user_id, r.idempotency_key) in (
      select * from unnest(${sql.param(keys.map((k) => k.playerId))}::uuid[],
                           ${sql.param(keys.map((k) => k.key))}::text[]))`,
  );
  for (const r of rows) {
    found.set(`${r.user_id}\u0000${r.idempotency_key}`, {
      requestHash: new Uint8Array(r.request_hash),
      view: toView(r),
    });
  }
  return found;
}

/** A player's rounds, newest first; `before` is the cursor the previous page gave. */
export async function listRounds(
  db: DbOrTx,
  userId: string,
  options: { limit: number; before?: { at: string; id: string } },
): Promise<{ rounds: RoundView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, options.limit), ROUNDS_PAGE_MAX);
  const before = options.before;
  const rows = await db.execute<RoundRow>(sql`
    select ${COLUMNS} from game_rounds r join fair_seeds f on f.id = r.seed_id ${PRIZE_JOIN}
    where r.user_id = ${userId}
      ${before ? sql`and (r.created_at, r.id) < (${before.at}::timestamptz, ${before.id}::uuid)` : sql``}
    order by r.created_at desc, r.id desc limit ${limit + 1}`);
  const page = rows.slice(0, limit).map(toView);
  const last = page.at(-1);
  return {
    rounds: page,
    nextCursor: rows.length > limit && last ? encodeCursor(rows[limit - 1] as RoundRow) : null,
  };
}

/** The cursor is the last round's time (to the microsecond) and id. */
function encodeCursor(r: RoundRow): string {
  return Buffer.from(JSON.stringify([String(r.created_at), r.id])).toString("base64url");
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What to_json writes for a timestamptz, with an offset PostgreSQL accepts (at most 15:59). */
const TIME_PATTERN =
  /^([1-9]\d{3})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-](0\d|1[0-5]):[0-5]\d)$/;

/** A cursor's time must be one PostgreSQL reads: a forged one is refused, never a 500. */
function isPostgresTime(text: string): boolean {
  const match = TIME_PATTERN.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function decodeCursor(cursor: string): { at: string; id: string } | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof at !== "string" || typeof id !== "string") return undefined;
    if (!UUID_PATTERN.test(id) || !isPostgresTime(at)) return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
}

export type RoundDetail = RoundView & {
  /** The seed's id: GET /api/v1/fairness/seeds/{seedId} shows its commitment to anyone. */
  seedId: string;
  /** The server seed, once the player rotated it out; then anyone can replay the round. */
  serverSeed: string | null;
  /** The canonical record its ledger leaf commits to, and the leaf. */
  record: RoundRecord;
  leaf: PublicLeaf;
  /** The commitment leaf of the round's seed, sequenced before the round. */
  seedLeaf: PublicLeaf;
};

/** One of the player's own rounds (undefined for another player's, or none). */
export function getRound(
  db: DbOrTx,
  userId: string,
  roundId: string,
): Promise<RoundDetail | undefined> {
  return roundDetail(db, roundId, userId);
}

/** Any player's round, for the operator's own tools (npm run rounds:verify on the database). */
export function getAnyRound(db: DbOrTx, roundId: string): Promise<RoundDetail | undefined> {
  return roundDetail(db, roundId);
}

async function roundDetail(
  db: DbOrTx,
  roundId: string,
  userId?: string,
): Promise<RoundDetail | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(roundId)) {
    return undefined;
  }
  const [row] = await db.execute<
    RoundRow & {
      seed_id: string;
      status: string;
      server_seed: string;
      leaf_data: Buffer;
      leaf_index: string | null;
      seed_leaf_data: Buffer;
      seed_leaf_index: string | null;
    }
  >(sql`
    select ${COLUMNS}, f.id as seed_id, f.status, f.server_seed, l.leaf_data, l.leaf_index,
           s.leaf_data as seed_leaf_data, s.leaf_index as seed_leaf_index
    from game_rounds r join fair_seeds f on f.id = r.seed_id ${PRIZE_JOIN}
    join ledger_entries l on l.round_id = r.id
    join ledger_entries s on s.fair_seed_id = r.seed_id
    where r.id = ${roundId} ${userId === undefined ? sql`` : sql`and r.user_id = ${userId}`}`);
  if (!row) return undefined;
  const view = toView(row);
  return {
    ...view,
    seedId: row.seed_id,
    serverSeed: row.status === "revealed" ? row.server_seed : null,
    record: {
      id: view.id,
      game: view.game,
      currency: view.currency,
      stake: view.stake,
      payout: view.payout,
      params: row.params,
      outcome: view.outcome,
      serverSeedHash: view.serverSeedHash,
      clientSeed: view.clientSeed,
      nonce: view.nonce,
      prizeId: view.prizeId,
    },
    leaf: publicLeaf(row.leaf_index, row.leaf_data),
    seedLeaf: publicLeaf(row.seed_leaf_index, row.seed_leaf_data),
  };
}
