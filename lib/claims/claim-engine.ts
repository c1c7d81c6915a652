import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import type { EligibilityRules } from "@/db/schema";
import { linkSignals } from "@/lib/abuse/account-links";
import { type RateRule, rateRules } from "@/lib/abuse/rate-limit";
import { listExcludedCodes } from "@/lib/abuse/regions";
import { recordClaimAnswers } from "@/lib/analytics/claim-counters";
import type { RequestContext } from "@/lib/audit/record-event";
import { decryptCode, encryptCode } from "@/lib/codes/code-crypto";
import { env } from "@/lib/config/env";
import { encodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { toHex } from "@/lib/ledger/merkle";
import { failedRule, type LoyaltyTier, type PlayerFacts, tierRank } from "./eligibility";
import { newRedemptionCode } from "./redemption-code";
import type { RefusalReason } from "./refusals";

export type ClaimRequest = {
  dropId: string;
  playerId: string;
  /** The client's Idempotency-Key: the same key gets the same answer. */
  idempotencyKey?: string;
  /** Hash of what was asked with that key: the same key with another request is refused. */
  requestHash?: Uint8Array;
  /** The browser's device cookie: links the accounts claiming from one browser. */
  deviceId?: string | null;
  /** The request's country by GeoIP, when configured and known. */
  country?: string | null;
  /** The API token the claim came with, kept in the audit trail. */
  tokenId?: string | null;
  /** performance.now() when the request arrived: the claim latency the dashboard shows. */
  receivedAt?: number;
} & RequestContext;

export type ClaimedRedemption = {
  id: string;
  dropId: string;
  prizeId: string;
  unitId: number;
  claimedAt: string;
  status: "fulfilled" | "awaiting_action";
  actionDeadline: string | null;
  receipt: {
    version: 1;
    status: "pending";
    leaf: { index: null; data: string; salt: string; playerId: string };
  };
};

export type ClaimOutcome =
  | { ok: true; redemption: ClaimedRedemption; code: string; replayed: boolean }
  | { ok: false; reason: RefusalReason; limit: number; replayed: boolean }
  | { ok: false; reason: "idempotency_mismatch"; limit: number; replayed: true };

/** What is kept for an idempotency key: the answer minus the code, which stays encrypted. */
type StoredOutcome =
  | { ok: true; redemption: ClaimedRedemption }
  | { ok: false; reason: RefusalReason; limit: number };

type DropState = {
  id: string;
  title: string;
  now: Date;
  started: boolean;
  ended: boolean;
  paused: boolean;
  endsAt: Date;
  perPlayerLimit: number;
  allocation: "first_come" | "lottery";
  eligibility: EligibilityRules;
};

type Pool = {
  id: string;
  prizeId: string;
  minTier: LoyaltyTier;
  kind: "gift_card" | "crypto" | "physical";
  valueCents: number;
};

type Pending = {
  request: ClaimRequest;
  resolve: (outcome: ClaimOutcome) => void;
  reject: (error: unknown) => void;
};

const MAX_BATCH = 256;
const MAX_IN_FLIGHT = 2;

/**
 * Claims are grouped: while a transaction for a drop is in flight, the claims that arrive for it
 * wait and then go together in the next transaction. Under a flash crowd that turns hundreds of
 * commits (each a disk flush) into a few, and the unit rows are taken with SKIP LOCKED so batches
 * from several processes never queue on each other. At low load a batch is a single claim.
 */
class ClaimBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Db,
    private readonly dropId: string,
  ) {}

  submit(request: ClaimRequest): Promise<ClaimOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      runBatch(
        this.db,
        this.dropId,
        batch.map((p) => p.request),
      )
        .then(
          (outcomes) => {
            for (const [i, p] of batch.entries()) p.resolve(outcomes[i] as ClaimOutcome);
          },
          (error) => {
            for (const p of batch) p.reject(error);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

const batchers = new WeakMap<Db, Map<string, ClaimBatcher>>();

/** Claims one unit of a drop for a player; concurrent claims of a drop share transactions. */
export function submitClaim(db: Db, request: ClaimRequest): Promise<ClaimOutcome> {
  let byDrop = batchers.get(db);
  if (!byDrop) {
    byDrop = new Map();
    batchers.set(db, byDrop);
  }
  let batcher = byDrop.get(request.dropId);
  if (!batcher) {
    batcher = new ClaimBatcher(db, request.dropId);
    byDrop.set(request.dropId, batcher);
  }
  return batcher.submit(request);
}

/**
 * Grants units to a lottery's winners (in draw order) once its window has closed: the same
 * transaction, limits, codes and ledger entries as a first-come claim. A physical prize must be
 * acted on by `actionDeadline`: the drop's end has already passed at the draw.
 */
export function grantLotteryWins(
  db: Db | Tx,
  dropId: string,
  winners: string[],
  options: { actionDeadline: Date },
): Promise<ClaimOutcome[]> {
  return db.transaction((tx) =>
    claimBatch(
      tx,
      dropId,
      winners.map((playerId) => ({ dropId, playerId })),
      "lottery_draw",
      options.actionDeadline,
    ),
  );
}

/** One claim in its own transaction, bypassing the batcher (for comparison in benchmarks). */
export async function claimAlone(db: Db, request: ClaimRequest): Promise<ClaimOutcome> {
  const [outcome] = await runBatch(db, request.dropId, [request]);
  return outcome as ClaimOutcome;
}

async function runBatch(db: Db, dropId: string, requests: ClaimRequest[]): Promise<ClaimOutcome[]> {
  try {
    return await db.transaction((tx) => claimBatch(tx, dropId, requests));
  } catch (error) {
    // Row locks are taken in a fixed order (sorted keys, players, unit ids), so a deadlock with
    // another process is unexpected; if PostgreSQL still picks this batch as the victim, the
    // whole batch was rolled back and is safe to run once more.
    if ((error as { cause?: { code?: string } }).cause?.code !== "40P01") throw error;
    return db.transaction((tx) => claimBatch(tx, dropId, requests));
  }
}

function keyOf(r: ClaimRequest): string | undefined {
  return r.idempotencyKey === undefined ? undefined : `${r.playerId}\u0000${r.idempotencyKey}`;
}

/** postgres.js sends arrays of buffers badly: bytes travel as hex text and are decoded in SQL. */
function hex(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array()).toString("hex");
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The whole batch in one transaction; returns one outcome per request, in order. */
async function claimBatch(
  tx: Tx,
  dropId: string,
  requests: ClaimRequest[],
  mode: "claim" | "lottery_draw" = "claim",
  actionDeadline?: Date,
): Promise<ClaimOutcome[]> {
  const outcomes: Array<ClaimOutcome | undefined> = new Array(requests.length);

  // 1. Idempotency: replay answers already given; the first of duplicates in this batch decides.
  const firstWithKey = new Map<string, number>();
  const keyed: number[] = [];
  requests.forEach((r, i) => {
    const key = keyOf(r);
    if (key === undefined) return;
    if (!firstWithKey.has(key)) {
      firstWithKey.set(key, i);
      keyed.push(i);
    }
  });
  // Sorted, so that concurrent batches lock idempotency rows in the same order.
  keyed.sort((a, b) =>
    (keyOf(requests[a] as ClaimRequest) ?? "") < (keyOf(requests[b] as ClaimRequest) ?? "")
      ? -1
      : 1,
  );
  const fresh = new Set<number>();
  if (keyed.length > 0) {
    const inserted = await tx.execute<{ player_id: string; key: string }>(sql`
      insert into idempotency_keys (player_id, key, request_hash, status, response)
      select p, k, decode(h, 'hex'), 0, '{}'::jsonb
      from unnest(${sql.param(keyed.map((i) => requests[i]?.playerId))}::uuid[],
                  ${sql.param(keyed.map((i) => requests[i]?.idempotencyKey))}::text[],
                  ${sql.param(keyed.map((i) => hex(requests[i]?.requestHash)))}::text[])
        as t(p, k, h)
      on conflict do nothing
      returning player_id, key`);
    const insertedKeys = new Set(inserted.map((row) => `${row.player_id}\u0000${row.key}`));
    const replays = keyed.filter(
      (i) => !insertedKeys.has(keyOf(requests[i] as ClaimRequest) ?? ""),
    );
    for (const i of keyed) if (!replays.includes(i)) fresh.add(i);
    if (replays.length > 0) {
      const stored = await tx.execute<{
        player_id: string;
        key: string;
        request_hash: Buffer;
        response: StoredOutcome;
      }>(sql`
        select player_id, key, request_hash, response from idempotency_keys
        where (player_id, key) in (
          select * from unnest(${sql.param(replays.map((i) => requests[i]?.playerId))}::uuid[],
                               ${sql.param(replays.map((i) => requests[i]?.idempotencyKey))}::text[]))`);
      const byKey = new Map(stored.map((row) => [`${row.player_id}\u0000${row.key}`, row]));
      for (const i of replays) {
        const request = requests[i] as ClaimRequest;
        const row = byKey.get(keyOf(request) ?? "");
        if (!row) throw new Error("idempotency key vanished");
        outcomes[i] = !sameBytes(new Uint8Array(row.request_hash), request.requestHash)
          ? { ok: false, reason: "idempotency_mismatch", limit: 0, replayed: true }
          : await replayOutcome(tx, row.response);
      }
    }
  }
  // Later duplicates of a key in this batch answer as their first does (filled in at the end).
  const duplicateOf = new Map<number, number>();
  requests.forEach((r, i) => {
    const key = keyOf(r);
    const first = key === undefined ? undefined : firstWithKey.get(key);
    if (first !== undefined && first !== i) duplicateOf.set(i, first);
  });
  const live = requests
    .map((_, i) => i)
    .filter((i) => outcomes[i] === undefined && !duplicateOf.has(i));

  const decided = new Map<number, StoredOutcome>();
  let codes = new Map<string, Code>();
  const refuse = (i: number, reason: RefusalReason, limit: number) =>
    decided.set(i, { ok: false, reason, limit });
  if (mode === "claim") {
    for (const i of await overRateLimit(tx, requests, live)) refuse(i, "rate_limited", 1);
  }
  const admitted = live.filter((i) => !decided.has(i));
  if (mode === "claim") {
    await linkSignals(
      tx,
      admitted.flatMap((i) => {
        const { playerId, deviceId } = requests[i] as ClaimRequest;
        return deviceId ? [{ userId: playerId, kind: "device" as const, value: deviceId }] : [];
      }),
    );
  }

  // 2. The drop, judged by the database clock.
  const drop = await loadDrop(tx, dropId);
  if (!drop) {
    for (const i of admitted) refuse(i, "not_found", 1);
  } else {
    const limit = drop.perPlayerLimit;
    // A lottery's winners are granted their units at the draw, after the window has closed.
    const gate: RefusalReason | undefined =
      mode === "lottery_draw"
        ? drop.allocation === "lottery" && drop.ended
          ? undefined
          : "not_found"
        : claimGate(drop);
    if (gate) {
      for (const i of admitted) refuse(i, gate, limit);
    } else {
      codes = await allocate(tx, drop, requests, admitted, decided, actionDeadline ?? drop.endsAt);
    }
  }

  // 3. Record: audit trail for every attempt, idempotency answers, then notify the worker.
  const results = await finish(tx, dropId, requests, live, decided, fresh, codes);
  for (const [i, outcome] of results) outcomes[i] = outcome;
  for (const [i, first] of duplicateOf) {
    const firstOutcome = outcomes[first] as ClaimOutcome;
    outcomes[i] = { ...firstOutcome, replayed: true } as ClaimOutcome;
  }
  return outcomes as ClaimOutcome[];
}

export const RATE_WINDOW_SECONDS = 10;

/**
 * Counts this batch's claims per player and per address in their current windows (a counter row
 * per key and window, shared by every instance) and returns the requests beyond CLAIM_RATE_LIMIT
 * per player or rateRules.claimPerIp per address.
 */
async function overRateLimit(tx: Tx, requests: ClaimRequest[], live: number[]): Promise<number[]> {
  if (live.length === 0) return [];
  const playerRule: RateRule = {
    name: "claim:player",
    limit: env().CLAIM_RATE_LIMIT,
    windowSeconds: RATE_WINDOW_SECONDS,
  };
  const byKey = new Map<string, { limit: number; window: number; indices: number[] }>();
  const count = (rule: RateRule, subject: string, i: number) => {
    const key = `${rule.name}:${subject.slice(0, 200)}`;
    const entry = byKey.get(key) ?? { limit: rule.limit, window: rule.windowSeconds, indices: [] };
    entry.indices.push(i);
    byKey.set(key, entry);
  };
  for (const i of live) {
    const { playerId, ip } = requests[i] as ClaimRequest;
    count(playerRule, playerId, i);
    if (ip) count(rateRules.claimPerIp, ip, i);
  }
  const keys = [...byKey.keys()].sort();
  const counts = await tx.execute<{ key: string; count: number }>(sql`
    insert into rate_limits (key, window_start, count)
    select k, to_timestamp(floor(extract(epoch from now()) / w) * w), n
    from unnest(${sql.param(keys)}::text[],
                ${sql.param(keys.map((k) => byKey.get(k)?.window ?? RATE_WINDOW_SECONDS))}::int[],
                ${sql.param(keys.map((k) => byKey.get(k)?.indices.length ?? 0))}::int[]) as t(k, w, n)
    on conflict (key, window_start) do update set count = rate_limits.count + excluded.count
    returning key, count`);
  const over = new Set<number>();
  for (const { key, count } of counts) {
    const { limit, indices } = byKey.get(key) ?? { limit: 0, indices: [] };
    // The window's count includes this batch: the last `count - limit` of ours are over.
    const excess = Math.min(indices.length, Math.max(0, count - limit));
    for (const i of indices.slice(indices.length - excess)) over.add(i);
  }
  return [...over];
}

function claimGate(drop: DropState): RefusalReason | undefined {
  if (!drop.started) return "not_started";
  if (drop.ended) return "ended";
  if (drop.paused) return "paused";
  if (drop.allocation === "lottery") return "lottery";
  return undefined;
}

async function loadDrop(tx: Tx, dropId: string): Promise<DropState | undefined> {
  const [row] = await tx.execute<{
    id: string;
    title: string;
    now: Date;
    started: boolean;
    ended: boolean;
    paused: boolean;
    ends_at: Date;
    per_player_limit: number;
    allocation: "first_come" | "lottery";
    eligibility: EligibilityRules;
  }>(sql`
    select id, title, now() as now, starts_at <= now() as started, ends_at <= now() as ended,
           paused_at is not null as paused, ends_at, per_player_limit, allocation, eligibility
    from drops where id = ${dropId}`);
  if (!row) return undefined;
  return {
    id: row.id,
    title: row.title,
    now: new Date(row.now),
    started: row.started,
    ended: row.ended,
    paused: row.paused,
    endsAt: new Date(row.ends_at),
    perPlayerLimit: row.per_player_limit,
    allocation: row.allocation,
    eligibility: row.eligibility,
  };
}

type Grant = {
  index: number;
  playerId: string;
  claimSeq: number;
  unitId: number;
  pool: Pool;
};

/** Eligibility, per-player limit and units, all set-based over the batch. */
async function allocate(
  tx: Tx,
  drop: DropState,
  requests: ClaimRequest[],
  live: number[],
  decided: Map<number, StoredOutcome>,
  actionDeadline: Date,
): Promise<Map<string, Code>> {
  const limit = drop.perPlayerLimit;
  const refuse = (i: number, reason: RefusalReason) => decided.set(i, { ok: false, reason, limit });
  const playerIds = [...new Set(live.map((i) => (requests[i] as ClaimRequest).playerId))];

  const players = await tx.execute<{
    id: string;
    email_verified_at: Date | null;
    created_at: Date;
    region: string | null;
    loyalty_tier: LoyaltyTier;
    flagged_at: Date | null;
    suspended_at: Date | null;
    adult_declared_at: Date | null;
    account_group_id: string | null;
    claimed: number;
  }>(sql`
    select u.id, u.email_verified_at, u.created_at, u.region, u.loyalty_tier, u.flagged_at,
           u.suspended_at, u.adult_declared_at, u.account_group_id,
           (select count(*)::int from redemptions r
             where r.drop_id = ${drop.id} and r.player_id = u.id) as claimed
    from users u where u.id = any(${sql.param(playerIds)}::uuid[])`);
  const date = (value: Date | null) => value && new Date(value);
  const facts = new Map<string, PlayerFacts & { claimed: number; groupId: string | null }>(
    players.map((p) => [
      p.id,
      {
        emailVerifiedAt: date(p.email_verified_at),
        createdAt: new Date(p.created_at),
        region: p.region,
        loyaltyTier: p.loyalty_tier,
        flaggedAt: date(p.flagged_at),
        suspendedAt: date(p.suspended_at),
        adultDeclaredAt: date(p.adult_declared_at),
        claimed: p.claimed,
        groupId: p.account_group_id,
      },
    ]),
  );
  const excludedRegions = new Set(await listExcludedCodes(tx));

  // Eligibility before any unit is touched; then the limit, counting this batch's own claims.
  let candidates: Candidate[] = [];
  const taken = new Map<string, number>();
  for (const i of live) {
    const { playerId, country } = requests[i] as ClaimRequest;
    const player = facts.get(playerId);
    if (!player) {
      refuse(i, "not_eligible:flagged");
      continue;
    }
    const rule = failedRule(drop.eligibility, player, drop.now, { excludedRegions, country });
    if (rule) {
      refuse(i, `not_eligible:${rule}`);
      continue;
    }
    const seq = player.claimed + (taken.get(playerId) ?? 0) + 1;
    if (seq > limit) {
      refuse(i, "limit_reached");
      continue;
    }
    taken.set(playerId, (taken.get(playerId) ?? 0) + 1);
    candidates.push({ index: i, playerId, tier: player.loyaltyTier, seq, groupId: player.groupId });
  }
  if (drop.eligibility.onePerGroup) {
    candidates = await onePerGroup(tx, drop, candidates, (c) =>
      refuse(c.index, "not_eligible:linked_account"),
    );
  }
  if (candidates.length === 0) return new Map();

  // Units: reserved pools first for the tiers they are reserved for, so general stock is left
  // for everyone else. SKIP LOCKED lets concurrent batches take different rows.
  const pools = await tx.execute<{
    id: string;
    prize_id: string;
    min_tier: LoyaltyTier;
    kind: Pool["kind"];
    value_cents: number;
  }>(sql`
    select p.id, p.prize_id, p.min_tier, z.kind, z.value_cents
    from drop_pools p join prizes z on z.id = p.prize_id
    where p.drop_id = ${drop.id}
    order by p.min_tier desc, p.position`);
  const grants: Grant[] = [];
  let waiting = candidates;
  for (const row of pools) {
    const pool: Pool = {
      id: row.id,
      prizeId: row.prize_id,
      minTier: row.min_tier,
      kind: row.kind,
      valueCents: Number(row.value_cents),
    };
    const fits = waiting.filter((c) => tierRank[c.tier] >= tierRank[pool.minTier]);
    if (fits.length === 0) continue;
    const units = await takeUnits(tx, drop.id, pool.id, fits.length);
    const served = fits.slice(0, units.length);
    for (const [k, c] of served.entries()) {
      grants.push({
        index: c.index,
        playerId: c.playerId,
        claimSeq: c.seq,
        unitId: units[k] as number,
        pool,
      });
    }
    const servedSet = new Set(served);
    waiting = waiting.filter((c) => !servedSet.has(c));
  }
  for (const c of waiting) refuse(c.index, "sold_out");
  if (grants.length === 0) return new Map();
  return issueRedemptions(tx, drop, grants, decided, actionDeadline);
}

type Candidate = {
  index: number;
  playerId: string;
  tier: LoyaltyTier;
  seq: number;
  groupId: string | null;
};

// Advisory lock class of a drop's claims by one account group (two-key form: its own key space).
const GROUP_CLAIM_LOCK = 0x4752_5043; // "GRPC"

/**
 * One claim per group of linked accounts. A lock per (drop, group), taken in sorted order and held
 * to commit, makes batches claiming for the same group (in this process or another) take turns,
 * so each sees the other's redemption. The first player of a group keeps the claim (and may claim
 * up to the per-player limit); a second linked account is refused and both are flagged.
 */
async function onePerGroup(
  tx: Tx,
  drop: DropState,
  candidates: Candidate[],
  refuse: (c: Candidate) => void,
): Promise<Candidate[]> {
  const groups = [...new Set(candidates.flatMap((c) => (c.groupId ? [c.groupId] : [])))].sort();
  if (groups.length === 0) return candidates;
  await tx.execute(sql`
    select pg_advisory_xact_lock(${GROUP_CLAIM_LOCK}, hashtext(${drop.id} || g))
    from unnest(${sql.param(groups)}::text[]) with ordinality as t(g, n) order by n`);
  const holders = await tx.execute<{ group_id: string; player_id: string }>(sql`
    select distinct u.account_group_id as group_id, r.player_id
    from redemptions r join users u on u.id = r.player_id
    where r.drop_id = ${drop.id} and r.status <> 'expired'
      and u.account_group_id = any(${sql.param(groups)}::uuid[])`);
  const holderOf = new Map<string, string>();
  for (const h of holders) holderOf.set(h.group_id, h.player_id);
  const kept: Candidate[] = [];
  const flagged = new Map<string, string>();
  for (const c of candidates) {
    const holder = c.groupId ? holderOf.get(c.groupId) : undefined;
    if (!c.groupId || holder === undefined || holder === c.playerId) {
      if (c.groupId) holderOf.set(c.groupId, c.playerId);
      kept.push(c);
      continue;
    }
    refuse(c);
    flagged.set(c.playerId, c.playerId);
    flagged.set(holder, holder);
  }
  if (flagged.size > 0) await flagLinkedAccounts(tx, drop, [...flagged.keys()].sort());
  return kept;
}

/** Flags accounts for an admin to review (those already flagged keep their first reason). */
async function flagLinkedAccounts(tx: Tx, drop: DropState, playerIds: string[]): Promise<void> {
  const dropId = drop.id;
  const reason = `Linked accounts claimed drop “${drop.title}” (${dropId}), which allows one claim per linked account group`;
  const flagged = await tx.execute<{ id: string; flagged_at: Date }>(sql`
    update users set flagged_at = now(), flagged_reason = ${reason}
    where id = any(${sql.param(playerIds)}::uuid[]) and flagged_at is null
    returning id, flagged_at`);
  if (flagged.length === 0) return;
  await tx.execute(sql`
    insert into audit_events (action, subject, outcome, reason, data)
    select 'account_flag', 'user:' || t.id, 'ok', 'linked_account',
           jsonb_build_object('before', jsonb_build_object('flaggedAt', null, 'flaggedReason', null),
                              'after', jsonb_build_object('flaggedAt', t.at, 'flaggedReason', ${reason}::text),
                              'dropId', ${dropId}::text)
    from unnest(${sql.param(flagged.map((f) => f.id))}::uuid[],
                ${sql.param(flagged.map((f) => new Date(f.flagged_at).toISOString()))}::text[]) as t(id, at)`);
}

// Units are taken in id order, so almost everything below the highest id this process has taken
// is gone. Starting there keeps each take from re-reading every claimed row of the pool (a cost
// that grows with the drop). Units below it (an expired claim's, or a rolled-back take's) are
// found by the full scan once the rest runs out.
const takenUpTo = new Map<string, number>();

/** Up to `n` available units of a pool, locked for this transaction. */
async function takeUnits(tx: Tx, dropId: string, poolId: string, n: number): Promise<number[]> {
  const pick = async (after: number, exclude: number[], wait: boolean, limit: number) => {
    const rows = await tx.execute<{ id: number }>(sql`
      select id from drop_units
      where drop_id = ${dropId} and pool_id = ${poolId} and status = 'available'
        and id > ${after} and not (id = any(${sql.param(exclude)}::bigint[]))
      order by id limit ${limit} ${wait ? sql`for update` : sql`for update skip locked`}`);
    return rows.map((r) => Number(r.id));
  };
  const ids = await pick(takenUpTo.get(poolId) ?? 0, [], false, n);
  if (ids.length < n) ids.push(...(await pick(0, ids, false, n - ids.length)));
  // Rows skipped because another transaction holds them may still come back (it may roll back):
  // wait for those holders rather than answer "sold out" while units may remain.
  if (ids.length < n) ids.push(...(await pick(0, ids, true, n - ids.length)));
  if (ids.length > 0) {
    takenUpTo.set(poolId, Math.max(takenUpTo.get(poolId) ?? 0, ...ids));
  }
  return ids;
}

type Issued = { grant: Grant; id: string; salt: Uint8Array; leaf: Uint8Array; code: Code };
/** A code as stored (encrypted); `plain` is kept only for codes generated in this batch. */
type Code = { ciphertext: Uint8Array; keyId: string; giftCodeId?: string; plain?: string };

async function issueRedemptions(
  tx: Tx,
  drop: DropState,
  grants: Grant[],
  decided: Map<number, StoredOutcome>,
  actionDeadline: Date,
): Promise<Map<string, Code>> {
  const limit = drop.perPlayerLimit;
  // Codes: gift cards from the imported pool (ciphertext copied, never decrypted here), other
  // kinds get a generated code, encrypted the same way.
  const codes = new Map<Grant, Code>();
  const byPrize = new Map<string, Grant[]>();
  for (const g of grants) {
    if (g.pool.kind === "gift_card") {
      byPrize.set(g.pool.prizeId, [...(byPrize.get(g.pool.prizeId) ?? []), g]);
    } else {
      const plain = newRedemptionCode();
      codes.set(g, { ...encryptCode(plain), plain });
    }
  }
  for (const [prizeId, group] of byPrize) {
    const pool = await tx.execute<{ id: string; ciphertext: Buffer; key_id: string }>(sql`
      select id, ciphertext, key_id from gift_codes
      where prize_id = ${prizeId} and redemption_id is null
      order by id limit ${group.length} for update skip locked`);
    group.forEach((g, k) => {
      const row = pool[k];
      if (row) {
        codes.set(g, {
          ciphertext: new Uint8Array(row.ciphertext),
          keyId: row.key_id,
          giftCodeId: row.id,
        });
      } else {
        // No code left to hand out: the claim is sold out and its unit stays available.
        decided.set(g.index, { ok: false, reason: "sold_out", limit });
      }
    });
  }

  const issued: Issued[] = grants
    .filter((g) => codes.has(g))
    // Player order: concurrent batches then meet on the per-player unique index in one order.
    .sort((a, b) =>
      a.playerId < b.playerId ? -1 : a.playerId > b.playerId ? 1 : a.claimSeq - b.claimSeq,
    )
    .map((g) => {
      const id = randomUUID();
      const salt = new Uint8Array(randomBytes(32));
      const leaf = encodeLeaf({
        kind: "redemption",
        entryId: id,
        prizeId: g.pool.prizeId,
        dropId: drop.id,
        valueCents: g.pool.valueCents,
        timeMs: drop.now.getTime(),
        playerCommitment: playerCommitment(g.playerId, salt),
      });
      return { grant: g, id, salt, leaf, code: codes.get(g) as Code };
    });

  // The unique (drop, player, claim number) index has the last word on the per-player limit:
  // a concurrent batch elsewhere may have taken the same number first.
  const inserted = issued.length
    ? await tx.execute<{ id: string }>(sql`
        insert into redemptions (id, drop_id, prize_id, player_id, unit_id, claim_seq, status,
                                 action_deadline, code_ciphertext, code_key_id, player_salt, created_at,
                                 region)
        select id, ${drop.id}, prize, player, unit, seq, status::redemption_status,
               case when status = 'awaiting_action' then ${actionDeadline.toISOString()}::timestamptz end,
               decode(ct, 'hex'), kid, decode(salt, 'hex'), now(),
               (select u.region from users u where u.id = player)
        from unnest(${sql.param(issued.map((x) => x.id))}::uuid[],
                    ${sql.param(issued.map((x) => x.grant.pool.prizeId))}::uuid[],
                    ${sql.param(issued.map((x) => x.grant.playerId))}::uuid[],
                    ${sql.param(issued.map((x) => x.grant.unitId))}::bigint[],
                    ${sql.param(issued.map((x) => x.grant.claimSeq))}::smallint[],
                    ${sql.param(issued.map((x) => (x.grant.pool.kind === "physical" ? "awaiting_action" : "fulfilled")))}::text[],
                    ${sql.param(issued.map((x) => hex(x.code.ciphertext)))}::text[],
                    ${sql.param(issued.map((x) => x.code.keyId))}::text[],
                    ${sql.param(issued.map((x) => hex(x.salt)))}::text[])
          as t(id, prize, player, unit, seq, status, ct, kid, salt)
        on conflict (drop_id, player_id, claim_seq) do nothing
        returning id`)
    : [];
  const insertedIds = new Set(inserted.map((r) => r.id));
  const won = issued.filter((x) => insertedIds.has(x.id));
  for (const x of issued) {
    if (insertedIds.has(x.id)) continue;
    decided.set(x.grant.index, { ok: false, reason: "limit_reached", limit });
  }

  const claimedUnits = won.map((x) => x.grant.unitId);
  if (claimedUnits.length > 0) {
    await tx.execute(sql`
      update drop_units set status = 'claimed'
      where id = any(${sql.param(claimedUnits)}::bigint[])`);
  }
  // Units locked but not given out are left as they are: available once this transaction ends.
  const usedCodes = won.filter((x) => x.code.giftCodeId);
  if (usedCodes.length > 0) {
    await tx.execute(sql`
      update gift_codes g set redemption_id = t.r
      from unnest(${sql.param(usedCodes.map((x) => x.code.giftCodeId))}::uuid[],
                  ${sql.param(usedCodes.map((x) => x.id))}::uuid[]) as t(c, r)
      where g.id = t.c`);
  }
  if (won.length > 0) {
    await tx.execute(sql`
      insert into ledger_entries (kind, redemption_id, leaf_data)
      select 'redemption', r, decode(d, 'hex')
      from unnest(${sql.param(won.map((x) => x.id))}::uuid[],
                  ${sql.param(won.map((x) => hex(x.leaf)))}::text[]) as t(r, d)`);
  }
  for (const x of won) {
    decided.set(x.grant.index, {
      ok: true,
      redemption: {
        id: x.id,
        dropId: drop.id,
        prizeId: x.grant.pool.prizeId,
        unitId: x.grant.unitId,
        claimedAt: drop.now.toISOString(),
        status: x.grant.pool.kind === "physical" ? "awaiting_action" : "fulfilled",
        actionDeadline: x.grant.pool.kind === "physical" ? actionDeadline.toISOString() : null,
        receipt: {
          version: 1,
          status: "pending",
          leaf: {
            index: null,
            data: toHex(x.leaf),
            salt: toHex(x.salt),
            playerId: x.grant.playerId,
          },
        },
      },
    });
  }
  return new Map(won.map((x) => [x.id, x.code]));
}

async function finish(
  tx: Tx,
  dropId: string,
  requests: ClaimRequest[],
  live: number[],
  decided: Map<number, StoredOutcome>,
  fresh: Set<number>,
  codes: Map<string, Code>,
): Promise<Map<number, ClaimOutcome>> {
  const rows = live.map((i) => {
    const r = requests[i] as ClaimRequest;
    const d = decided.get(i) as StoredOutcome;
    return {
      actor: r.playerId,
      outcome: d.ok ? "ok" : "refused",
      reason: d.ok ? null : d.reason,
      ip: r.ip && /^[0-9a-fA-F:.]{2,45}$/.test(r.ip) ? r.ip : null,
      ua: r.userAgent?.slice(0, 500) ?? null,
      data: JSON.stringify(d.ok ? { redemptionId: d.redemption.id } : { limit: d.limit }),
      token: r.tokenId ?? null,
    };
  });
  if (rows.length > 0) {
    await tx.execute(sql`
      insert into audit_events
        (actor_id, action, subject, outcome, reason, ip, user_agent, data, token_id)
      select a, 'claim', ${`drop:${dropId}`}, o, r, i::inet, u, d::jsonb, k
      from unnest(${sql.param(rows.map((x) => x.actor))}::uuid[],
                  ${sql.param(rows.map((x) => x.outcome))}::text[],
                  ${sql.param(rows.map((x) => x.reason))}::text[],
                  ${sql.param(rows.map((x) => x.ip))}::text[],
                  ${sql.param(rows.map((x) => x.ua))}::text[],
                  ${sql.param(rows.map((x) => x.data))}::text[],
                  ${sql.param(rows.map((x) => x.token))}::uuid[]) as t(a, o, r, i, u, d, k)`);
  }
  await recordClaimAnswers(
    tx,
    dropId,
    live.map((i) => {
      const d = decided.get(i) as StoredOutcome;
      const { receivedAt } = requests[i] as ClaimRequest;
      return {
        reason: d.ok ? "claimed" : d.reason,
        latencyMs: receivedAt === undefined ? null : performance.now() - receivedAt,
        redemptionId: d.ok ? d.redemption.id : null,
      };
    }),
  );
  const keyed = live.filter((i) => fresh.has(i));
  if (keyed.length > 0) {
    await tx.execute(sql`
      update idempotency_keys k set status = t.s, response = t.b::jsonb
      from unnest(${sql.param(keyed.map((i) => requests[i]?.playerId))}::uuid[],
                  ${sql.param(keyed.map((i) => requests[i]?.idempotencyKey))}::text[],
                  ${sql.param(keyed.map((i) => ((decided.get(i) as StoredOutcome).ok ? 201 : 409)))}::smallint[],
                  ${sql.param(keyed.map((i) => JSON.stringify(decided.get(i))))}::text[])
        as t(p, k, s, b)
      where k.player_id = t.p and k.key = t.k`);
  }
  if ([...decided.values()].some((d) => d.ok)) {
    await tx.execute(sql`select pg_notify('ledger_entries', '')`);
  }
  // Open dashboards on every web instance hear of each batch (delivered at commit). A statement
  // of its own: a pg_notify in the counters' data-modifying WITH query was never sent.
  if (live.length > 0) await tx.execute(sql`select pg_notify('analytics', ${dropId})`);
  const out = new Map<number, ClaimOutcome>();
  for (const i of live) {
    const d = decided.get(i) as StoredOutcome;
    if (d.ok) {
      const code = codes.get(d.redemption.id) as Code;
      out.set(i, {
        ok: true,
        redemption: d.redemption,
        code: code.plain ?? decryptCode(code.ciphertext, code.keyId),
        replayed: false,
      });
    } else {
      out.set(i, { ...d, replayed: false });
    }
  }
  return out;
}

/** The stored first answer, with the code read back from the redemption (it is not stored twice). */
async function replayOutcome(tx: Tx, stored: StoredOutcome): Promise<ClaimOutcome> {
  if (!stored.ok) {
    // An answer still being written by a transaction that then failed leaves an empty record.
    if (!("reason" in stored)) throw new Error("idempotency record without an answer");
    return { ...stored, replayed: true };
  }
  const [row] = await tx.execute<{ code_ciphertext: Buffer; code_key_id: string }>(sql`
    select code_ciphertext, code_key_id from redemptions where id = ${stored.redemption.id}`);
  if (!row) throw new Error(`redemption ${stored.redemption.id} of an idempotency record is gone`);
  return {
    ok: true,
    redemption: stored.redemption,
    code: decryptCode(new Uint8Array(row.code_ciphertext), row.code_key_id),
    replayed: true,
  };
}
