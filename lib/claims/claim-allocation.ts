import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { linkSignals } from "@/lib/abuse/account-links";
import { type RateRule, rateRules } from "@/lib/abuse/rate-limit";
import { listExcludedCodes } from "@/lib/abuse/regions";
import { recordEvents } from "@/lib/audit/record-event";
import { env } from "@/lib/config/env";
import { addressBucket } from "@/lib/http/client-info";
import type { PrizeKind } from "@/lib/prizes/model";
import type { Claim, DropState } from "./claim-types";
import { failedRule, type PlayerFacts } from "./eligibility";
import type { RefusalReason } from "./model";
import { type LoyaltyTier, tierRank } from "./model";

// Advisory lock class of a drop's claim batches (two-key form: a key space of its own).
const DROP_CLAIM_LOCK = 0x4452_4f50; // "DROP"

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
export async function lockDropClaims(tx: Tx, dropId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${DROP_CLAIM_LOCK}, hashtext(${dropId}))`);
}

export const RATE_WINDOW_SECONDS = 10;

/**
 * Counts this batch's claims per player and per address in their current windows (a counter row
 * per key and window, shared by every instance) and refuses those beyond CLAIM_RATE_LIMIT per
 * player or CLAIM_IP_RATE_LIMIT per address (none when that is 0).
 */
export async function refuseOverRateLimit(tx: Tx, claims: Claim[]): Promise<void> {
  if (claims.length === 0) return;
  const playerRule: RateRule = {
    name: "claim:player",
    limit: env().CLAIM_RATE_LIMIT,
    windowSeconds: RATE_WINDOW_SECONDS,
  };
  const byKey = new Map<string, { limit: number; window: number; claims: Claim[] }>();
  const count = (rule: RateRule, subject: string, c: Claim) => {
    const key = `${rule.name}:${subject.slice(0, 200)}`;
    const entry = byKey.get(key) ?? { limit: rule.limit, window: rule.windowSeconds, claims: [] };
    entry.claims.push(c);
    byKey.set(key, entry);
  };
  const ipRule = rateRules.claimPerIp;
  for (const c of claims) {
    count(playerRule, c.request.playerId, c);
    const bucket = addressBucket(c.request.ip);
    if (bucket && ipRule.limit > 0) count(ipRule, bucket, c);
  }
  const keys = [...byKey.keys()].sort();
  const counts = await tx.execute<{ key: string; count: number }>(sql`
    insert into rate_limits (key, window_start, count)
    select k, to_timestamp(floor(extract(epoch from now()) / w) * w), n
    from unnest(${sql.param(keys)}::text[],
                ${sql.param(keys.map((k) => byKey.get(k)?.window ?? RATE_WINDOW_SECONDS))}::int[],
                ${sql.param(keys.map((k) => byKey.get(k)?.claims.length ?? 0))}::int[]) as t(k, w, n)
    on conflict (key, window_start) do update set count = rate_limits.count + excluded.count
    returning key, count`);
  for (const { key, count } of counts) {
    const { limit, claims: counted } = byKey.get(key) ?? { limit: 0, claims: [] };
    // The window's count includes this batch: the last `count - limit` of ours are over.
    const excess = Math.min(counted.length, Math.max(0, count - limit));
    for (const c of counted.slice(counted.length - excess)) {
      c.decision = { ok: false, reason: "rate_limited", limit: 1 };
    }
  }
}

/** Links the accounts that claim from one browser (its device cookie). */
export async function linkDevices(tx: Tx, claims: Claim[]): Promise<void> {
  await linkSignals(
    tx,
    claims.flatMap(({ request: { playerId, deviceId } }) =>
      deviceId ? [{ userId: playerId, kind: "device" as const, value: deviceId }] : [],
    ),
  );
}

export function claimGate(drop: DropState): RefusalReason | undefined {
  if (!drop.started) return "not_started";
  if (drop.ended) return "ended";
  if (drop.paused) return "paused";
  if (drop.allocation === "lottery") return "lottery";
  return undefined;
}

/**
 * A drop with a waiting room takes only the claims the route found a valid admission token on
 * (checked there, without the database); the others are refused here, where the drop is loaded
 * anyway. Returns the claims that may go on.
 */
export function refuseWithoutAdmission(drop: DropState, claims: Claim[]): Claim[] {
  if (!drop.queued) return claims;
  return claims.filter((c) => {
    if (c.request.admission === "admitted") return true;
    const reason = c.request.admission === "expired" ? "admission_expired" : "admission_required";
    c.decision = { ok: false, reason, limit: drop.perPlayerLimit };
    return false;
  });
}

export async function loadDrop(tx: Tx, dropId: string): Promise<DropState | undefined> {
  const [row] = await tx.execute<DropState>(sql`
    select id, title, now() as now, starts_at <= now() as started, ends_at <= now() as ended,
           paused_at is not null as paused, ends_at as "endsAt",
           per_player_limit as "perPlayerLimit", allocation, eligibility,
           exists (select 1 from drop_queues q where q.drop_id = drops.id and q.enabled) as queued
    from drops where id = ${dropId}`);
  // Timestamps come back as text from a raw query.
  return row && { ...row, now: new Date(row.now), endsAt: new Date(row.endsAt) };
}

type Pool = {
  id: string;
  prizeId: string;
  minTier: LoyaltyTier;
  kind: PrizeKind;
  /** A gift card from the imported pool takes a code at the claim; others get one generated. */
  fromPool: boolean;
  valueCents: number;
};

/**
 * A unit set aside for a claim. `claimed` is how many units of the drop the player held before
 * this batch: the claim number is given only once the grant is issued (a grant may still be
 * refused for want of a code).
 */
export type Grant = { claim: Claim; claimed: number; unitId: number; pool: Pool };

type Candidate = { claim: Claim; tier: LoyaltyTier; claimed: number; groupId: string | null };

/**
 * Eligibility, per-player limit and units, all set-based over the batch: refuses the claims that
 * get no unit and returns a grant for each of the others. Runs under lockDropClaims, so the
 * player's earlier claims counted here are all there are.
 */
export async function allocateUnits(tx: Tx, drop: DropState, claims: Claim[]): Promise<Grant[]> {
  const limit = drop.perPlayerLimit;
  const refuse = (c: Claim, reason: RefusalReason) => {
    c.decision = { ok: false, reason, limit };
  };
  const playerIds = [...new Set(claims.map((c) => c.request.playerId))];

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
           -- Found by the player, whose redemptions are few, never by the drop: a drop younger
           -- than the table's statistics is estimated at one redemption, and a plan that reads
           -- the drop's redemptions (its (drop_id, status) index) would then read all of them
           -- for every claim, ever more as the drop fills. As text, drop_id cannot lead a plan.
           (select count(*)::int from redemptions r
             where r.player_id = u.id and r.drop_id::text = ${drop.id}) as claimed
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
  for (const c of claims) {
    const { playerId, country } = c.request;
    const player = facts.get(playerId);
    if (!player) {
      refuse(c, "not_eligible:flagged");
      continue;
    }
    const rule = failedRule(drop.eligibility, player, drop.now, { excludedRegions, country });
    if (rule) {
      refuse(c, `not_eligible:${rule}`);
      continue;
    }
    const seq = player.claimed + (taken.get(playerId) ?? 0) + 1;
    if (seq > limit) {
      refuse(c, "limit_reached");
      continue;
    }
    taken.set(playerId, (taken.get(playerId) ?? 0) + 1);
    candidates.push({
      claim: c,
      tier: player.loyaltyTier,
      claimed: player.claimed,
      groupId: player.groupId,
    });
  }
  if (drop.eligibility.onePerGroup) {
    candidates = await onePerGroup(tx, drop, candidates, (c) =>
      refuse(c.claim, "not_eligible:linked_account"),
    );
  }
  if (candidates.length === 0) return [];

  // Units: reserved pools first for the tiers they are reserved for, so general stock is left
  // for everyone else.
  const pools = await tx.execute<{
    id: string;
    prize_id: string;
    min_tier: LoyaltyTier;
    kind: Pool["kind"];
    from_pool: boolean;
    value_cents: number;
  }>(sql`
    select p.id, p.prize_id, p.min_tier, z.kind, z.value_cents,
           z.kind = 'gift_card' and coalesce(z.delivery_provider, 'pool') = 'pool' as from_pool
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
      fromPool: row.from_pool,
      valueCents: Number(row.value_cents),
    };
    const fits = waiting.filter((c) => tierRank[c.tier] >= tierRank[pool.minTier]);
    if (fits.length === 0) continue;
    const units = await takeUnits(tx, drop.id, pool.id, fits.length);
    const served = new Set<Candidate>();
    for (const [k, unitId] of units.entries()) {
      const c = fits[k];
      if (!c) break;
      grants.push({ claim: c.claim, claimed: c.claimed, unitId, pool });
      served.add(c);
    }
    waiting = waiting.filter((c) => !served.has(c));
  }
  for (const c of waiting) refuse(c.claim, "sold_out");
  return grants;
}

/**
 * One claim per group of linked accounts. Batches of the drop take turns (lockDropClaims), so
 * each sees the redemptions of the one before. The first player of a group keeps the claim (and
 * may claim up to the per-player limit); a second linked account is refused and both are flagged.
 */
async function onePerGroup(
  tx: Tx,
  drop: DropState,
  candidates: Candidate[],
  refuse: (c: Candidate) => void,
): Promise<Candidate[]> {
  const groups = [...new Set(candidates.flatMap((c) => (c.groupId ? [c.groupId] : [])))].sort();
  if (groups.length === 0) return candidates;
  // From the groups' accounts to their redemptions, never from the drop's (see allocateUnits).
  const holders = await tx.execute<{ group_id: string; player_id: string }>(sql`
    select distinct u.account_group_id as group_id, r.player_id
    from redemptions r join users u on u.id = r.player_id
    where r.drop_id::text = ${drop.id} and r.status <> 'expired'
      and u.account_group_id = any(${sql.param(groups)}::uuid[])`);
  const holderOf = new Map<string, string>();
  for (const h of holders) holderOf.set(h.group_id, h.player_id);
  const kept: Candidate[] = [];
  const flagged = new Set<string>();
  for (const c of candidates) {
    const playerId = c.claim.request.playerId;
    const holder = c.groupId ? holderOf.get(c.groupId) : undefined;
    if (!c.groupId || holder === undefined || holder === playerId) {
      if (c.groupId) holderOf.set(c.groupId, playerId);
      kept.push(c);
      continue;
    }
    refuse(c);
    flagged.add(playerId);
    flagged.add(holder);
  }
  if (flagged.size > 0) await flagLinkedAccounts(tx, drop, [...flagged].sort());
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
  await recordEvents(
    tx,
    flagged.map((f) => ({
      action: "account_flag",
      subject: `user:${f.id}`,
      outcome: "ok" as const,
      reason: "linked_account",
      data: {
        before: { flaggedAt: null, flaggedReason: null },
        after: { flaggedAt: new Date(f.flagged_at).toISOString(), flaggedReason: reason },
        dropId,
      },
    })),
  );
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
