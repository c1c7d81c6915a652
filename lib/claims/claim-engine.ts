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
import { normaliseAddress } from "@/lib/http/client-info";
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
          (settled) => {
            for (const [i, p] of batch.entries()) {
              const result = settled[i] as PromiseSettledResult<ClaimOutcome>;
              if (result.status === "fulfilled") p.resolve(result.value);
              else p.reject(result.reason);
            }
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
 * transaction, limits, codes and ledger entries as a first-come claim.
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
      { mode: "lottery_draw", actionDeadline: options.actionDeadline },
    ),
  );
}

/** One claim in its own transaction, bypassing the batcher (for comparison in benchmarks). */
export async function claimAlone(db: Db, request: ClaimRequest): Promise<ClaimOutcome> {
  const [result] = await runBatch(db, request.dropId, [request]);
  if (result?.status !== "fulfilled") throw result?.reason;
  return result.value;
}

/**
 * A batch in one transaction. When the transaction fails for what may be one request's data
 * (the database refused a value, a constraint, or the batch lost a deadlock), the halves are run
 * again on their own, down to single requests, so the others get their answers and only the
 * culprit gets the error. A failure of the database itself (connection lost, out of resources)
 * fails every request at once: no request is to blame, and each retry would fail the same way.
 * At most 2n - 1 transactions for n requests, however many of them are to blame.
 */
export async function runBatch(
  db: Db,
  dropId: string,
  requests: ClaimRequest[],
): Promise<PromiseSettledResult<ClaimOutcome>[]> {
  try {
    const outcomes = await db.transaction((tx) => claimBatch(tx, dropId, requests));
    return outcomes.map((value) => ({ status: "fulfilled", value }));
  } catch (reason) {
    if (requests.length === 1 || !mayBeOneRequests(reason)) {
      return requests.map(() => ({ status: "rejected", reason }));
    }
    const half = Math.ceil(requests.length / 2);
    return [
      ...(await runBatch(db, dropId, requests.slice(0, half))),
      ...(await runBatch(db, dropId, requests.slice(half))),
    ];
  }
}

// SQLSTATE classes of a statement refused for what it carried: data exception, integrity
// constraint violation, transaction rollback (deadlock, serialization).
const REQUEST_ERROR_CLASSES = new Set(["22", "23", "40"]);

function mayBeOneRequests(error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  const sqlState = [code, cause?.code].find(
    (c): c is string => typeof c === "string" && /^[0-9A-Z]{5}$/.test(c),
  );
  return sqlState !== undefined && REQUEST_ERROR_CLASSES.has(sqlState.slice(0, 2));
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

type BatchMode = { mode: "claim" } | { mode: "lottery_draw"; actionDeadline: Date };

/** The whole batch in one transaction; returns one outcome per request, in order. */
async function claimBatch(
  tx: Tx,
  dropId: string,
  requests: ClaimRequest[],
  batchMode: BatchMode = { mode: "claim" },
): Promise<ClaimOutcome[]> {
  const { mode } = batchMode;
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
    for (const i of keyed) {
      if (insertedKeys.has(keyOf(requests[i] as ClaimRequest) ?? "")) fresh.add(i);
    }
    // Every request with a key answered before, duplicates included, is judged by that answer.
    const replays = requests.flatMap((r, i) => {
      const key = keyOf(r);
      return key !== undefined && !insertedKeys.has(key) ? [i] : [];
    });
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
  // Later duplicates of a key in this batch answer as their first does (filled in at the end),
  // unless they ask for something else under the same key.
  const duplicateOf = new Map<number, number>();
  requests.forEach((r, i) => {
    const key = keyOf(r);
    const first = key === undefined ? undefined : firstWithKey.get(key);
    if (first === undefined || first === i || outcomes[i] !== undefined) return;
    if (sameBytes(r.requestHash, requests[first]?.requestHash)) duplicateOf.set(i, first);
    else outcomes[i] = { ok: false, reason: "idempotency_mismatch", limit: 0, replayed: true };
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
  await lockDropClaims(tx, dropId);
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
      const actionDeadline =
        batchMode.mode === "lottery_draw" ? batchMode.actionDeadline : drop.endsAt;
      codes = await allocate(tx, drop, actionDeadline, requests, admitted, decided);
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

// Advisory lock classes (two-key form: key spaces of their own).
const DROP_CLAIM_LOCK = 0x4452_4f50; // "DROP"
const PRIZE_CODE_LOCK = 0x434f_4445; // "CODE"

/**
 * Batches of one drop take turns from here to commit, in this process or any other. Without
 * this, two batches at sell-out each took part of the last units with SKIP LOCKED and then
 * waited on the other's rows for the rest (deadlock), or each counted the player's earlier
 * claims before the other committed and took the same claim number (a false limit_reached).
 * Waiting here, a batch holds no unit, code or redemption yet, so no cycle can form; once
 * here, nothing it waits on is held by another batch of the drop, so no held unit or code can
 * come back after it answered sold_out. Throughput comes from batching (one transaction for
 * hundreds of claims), not from running a drop's batches side by side. Taken after the
 * idempotency and rate-limit rows (which a batch never waits on once it holds this lock) and
 * before anything else.
 */
async function lockDropClaims(tx: Tx, dropId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${DROP_CLAIM_LOCK}, hashtext(${dropId}))`);
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
    const address = normaliseAddress(ip);
    if (address) count(rateRules.claimPerIp, address, i);
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
  actionDeadline: Date,
  requests: ClaimRequest[],
  live: number[],
  decided: Map<number, StoredOutcome>,
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
  return issueRedemptions(tx, drop, actionDeadline, grants, decided);
}

type Candidate = {
  index: number;
  playerId: string;
  tier: LoyaltyTier;
  seq: number;
  groupId: string | null;
};

/**
 * One claim per group of linked accounts. Batches of the drop take turns (lockDropClaims), so
 * each sees the redemptions of the one before. The first player of a group keeps the claim (and may claim
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
  // Batches of this drop take turns (lockDropClaims), so a row skipped here is held by an expiry
  // or a reversal putting it back: wait for those rather than answer "sold out" while units may
  // remain. They never wait on a claim batch, so this wait cannot close a cycle.
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
  actionDeadline: Date,
  grants: Grant[],
  decided: Map<number, StoredOutcome>,
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
  // A prize's codes may be shared by several drops, whose batches do not take turns on the drop
  // lock: a lock per prize (in sorted order) does that for codes. Then no other batch holds a
  // code of the prize, so waiting for a locked row (an import's) is safe and no code that may
  // come back is skipped: sold_out here is final.
  const prizeIds = [...byPrize.keys()].sort();
  if (prizeIds.length > 0) {
    await tx.execute(sql`
      select pg_advisory_xact_lock(${PRIZE_CODE_LOCK}, hashtext(p))
      from unnest(${sql.param(prizeIds)}::text[]) with ordinality as t(p, n) order by n`);
  }
  for (const prizeId of prizeIds) {
    const group = byPrize.get(prizeId) ?? [];
    const pool = await tx.execute<{ id: string; ciphertext: Buffer; key_id: string }>(sql`
      select id, ciphertext, key_id from gift_codes
      where prize_id = ${prizeId} and redemption_id is null
      order by id limit ${group.length} for update`);
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

  // Claim numbers were counted under the drop lock, so the unique (drop, player, claim number)
  // index never refuses one here.
  if (issued.length > 0) {
    await tx.execute(sql`
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
          as t(id, prize, player, unit, seq, status, ct, kid, salt)`);
  }

  const claimedUnits = issued.map((x) => x.grant.unitId);
  if (claimedUnits.length > 0) {
    await tx.execute(sql`
      update drop_units set status = 'claimed'
      where id = any(${sql.param(claimedUnits)}::bigint[])`);
  }
  // Units locked but not given out are left as they are: available once this transaction ends.
  const usedCodes = issued.filter((x) => x.code.giftCodeId);
  if (usedCodes.length > 0) {
    await tx.execute(sql`
      update gift_codes g set redemption_id = t.r
      from unnest(${sql.param(usedCodes.map((x) => x.code.giftCodeId))}::uuid[],
                  ${sql.param(usedCodes.map((x) => x.id))}::uuid[]) as t(c, r)
      where g.id = t.c`);
  }
  if (issued.length > 0) {
    await tx.execute(sql`
      insert into ledger_entries (kind, redemption_id, leaf_data)
      select 'redemption', r, decode(d, 'hex')
      from unnest(${sql.param(issued.map((x) => x.id))}::uuid[],
                  ${sql.param(issued.map((x) => hex(x.leaf)))}::text[]) as t(r, d)`);
  }
  for (const x of issued) {
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
  return new Map(issued.map((x) => [x.id, x.code]));
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
      ip: normaliseAddress(r.ip),
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
  // A refusal that may not hold on a retry after Retry-After is not kept as the key's answer:
  // the key is released, and the retry is judged afresh.
  const released = live.filter((i) => fresh.has(i) && !isFinal(decided.get(i) as StoredOutcome));
  if (released.length > 0) {
    await tx.execute(sql`
      delete from idempotency_keys k
      using unnest(${sql.param(released.map((i) => requests[i]?.playerId))}::uuid[],
                   ${sql.param(released.map((i) => requests[i]?.idempotencyKey))}::text[]) as t(p, k)
      where k.player_id = t.p and k.key = t.k`);
  }
  const keyed = live.filter((i) => fresh.has(i) && isFinal(decided.get(i) as StoredOutcome));
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

const TRANSIENT_REFUSALS: ReadonlySet<RefusalReason> = new Set([
  "rate_limited",
  "not_started",
  "paused",
]);

function isFinal(outcome: StoredOutcome): boolean {
  return outcome.ok || !TRANSIENT_REFUSALS.has(outcome.reason);
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
