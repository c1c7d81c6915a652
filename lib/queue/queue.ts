/** The waiting room's server side: joining, views, the admin's stats and rate, the public proof. */
import "server-only";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { listExcludedCodes } from "@/lib/abuse/regions";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { failedRule, type PlayerFacts } from "@/lib/claims/eligibility";
import { refusalErrorCode, refusalMessage } from "@/lib/claims/model";
import type { EligibilityRules } from "@/lib/drops/model";
import { AppError } from "@/lib/errors/app-error";
import { signAdmission } from "./admission-token";
import { estimateWaitSeconds, type QueueProof, type QueueStats, type QueueView } from "./model";
import { placePseudonym, QUEUE_ALGORITHM } from "./shuffle";

/** The request's context (address, agent, id) goes into the audit of a leave. */
export type QueueRequest = { dropId: string; playerId: string } & RequestContext;

/**
 * Leaves one player may make from one drop's room before joining it again is refused: each
 * leave-and-join after the draw adds an entry and a position to the public proof for good and
 * counts in everyone's queue length, so the cycle must end (docs/waiting-room.md §5).
 */
export const MAX_QUEUE_LEAVES = 3;

// Advisory lock class of one linked-account group joining one drop's room.
const QUEUE_GROUP_LOCK = 0x5155_4555; // "QUEU"

/** A room and its drop's window, judged by the database clock; times in ms since the epoch. */
type Room = {
  enabled: boolean;
  rate: number;
  seedHash: string;
  seed: string | null;
  shuffledMs: number | null;
  lastPosition: number;
  admittedThrough: number;
  unplaced: number;
  closed: boolean;
  notOpen: boolean;
  opensMs: number;
  startsMs: number;
  eligibility: EligibilityRules;
};

const ms = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::float8`);

async function readRoom(db: DbOrTx, dropId: string): Promise<Room | undefined> {
  const [row] = await db.execute<Room>(sql`
    select q.enabled, q.admission_rate_per_minute as rate,
           encode(q.seed_hash, 'hex') as "seedHash",
           case when q.shuffled_at is not null then encode(q.seed, 'hex') end as seed,
           ${ms("q.shuffled_at")} as "shuffledMs", q.last_position as "lastPosition",
           q.admitted_through as "admittedThrough", q.unplaced,
           (q.closed_at is not null or d.ends_at <= now()) as closed,
           now() < d.starts_at - make_interval(mins => q.pre_queue_minutes) as "notOpen",
           ${ms("d.starts_at - make_interval(mins => q.pre_queue_minutes)")} as "opensMs",
           ${ms("d.starts_at")} as "startsMs", d.eligibility
    from drop_queues q join drops d on d.id = q.drop_id
    where q.drop_id = ${dropId}`);
  return row;
}

const NO_ROOM = "This drop has no waiting room";

/** The admin sees a room that is off too (its settings); a drop without one is not found. */
async function requireRoomOrOff(db: DbOrTx, dropId: string): Promise<Room> {
  const room = z.uuid().safeParse(dropId).success ? await readRoom(db, dropId) : undefined;
  if (!room) throw new AppError("not_found", NO_ROOM);
  return room;
}

/** The room of a drop, or a refusal in words when it has none (or it is off). */
async function requireRoom(db: DbOrTx, dropId: string): Promise<Room> {
  const room = await requireRoomOrOff(db, dropId);
  if (!room.enabled) throw new AppError("not_found", NO_ROOM);
  return room;
}

type Place = {
  id: number;
  pseudonym: string;
  /** Hex; shown to its player alone, so they can recompute their pseudonym. */
  salt: string;
  position: number | null;
  expiresMs: number | null;
  expired: boolean;
};

async function livePlace(db: DbOrTx, { dropId, playerId }: QueueRequest) {
  const [place] = await db.execute<Place>(sql`
    select id, pseudonym, encode(salt, 'hex') as salt, position,
           ${ms("admission_expires_at")} as "expiresMs",
           coalesce(admission_expires_at <= now(), false) as expired
    from queue_places
    where drop_id = ${dropId} and player_id = ${playerId} and superseded_at is null`);
  return place;
}

function viewOf(dropId: string, playerId: string, room: Room, place: Place | undefined): QueueView {
  const queueLength = room.lastPosition - room.admittedThrough + room.unplaced;
  const base = {
    dropId,
    enabled: room.enabled,
    opensAt: new Date(room.opensMs).toISOString(),
    startsAt: new Date(room.startsMs).toISOString(),
    queueLength,
    admissionRatePerMinute: room.rate,
    seedHash: room.seedHash,
    seed: room.seed,
    pseudonym: place?.pseudonym ?? null,
    entry: place ? { playerId, salt: place.salt } : null,
    position: place?.position ?? null,
    ahead: null,
    estimatedWaitSeconds: null,
    admission: null,
  };
  // An admission stands while it lasts, even once the room closed.
  if (place && place.expiresMs !== null && !place.expired) {
    const expiresAt = new Date(place.expiresMs);
    return {
      ...base,
      state: "admitted",
      ahead: 0,
      estimatedWaitSeconds: 0,
      admission: {
        token: signAdmission({ dropId, playerId, expiresAt }),
        expiresAt: expiresAt.toISOString(),
      },
    };
  }
  if (room.closed) return { ...base, state: "closed" };
  if (!place) return { ...base, state: room.notOpen ? "not_open" : "not_joined" };
  if (place.expired) return { ...base, state: "admission_expired" };
  if (room.shuffledMs === null) return { ...base, state: "pre_queue" };
  // Not placed yet (joined since the last admission pass): everyone placed is ahead.
  const ahead =
    place.position === null
      ? room.lastPosition - room.admittedThrough
      : place.position - room.admittedThrough - 1;
  return {
    ...base,
    state: "waiting",
    ahead,
    estimatedWaitSeconds: estimateWaitSeconds(ahead, room.rate),
  };
}

/** The caller's view of the drop's waiting room. */
export async function getQueueView(db: DbOrTx, request: QueueRequest): Promise<QueueView> {
  const room = await requireRoom(db, request.dropId);
  return viewOf(request.dropId, request.playerId, room, await livePlace(db, request));
}

/**
 * One place per linked-account group when the drop says so: a second member is refused, since
 * the place (and the claim it leads to) is the group's. Joins of one group take turns.
 */
async function refuseLinkedPlace(tx: Tx, { dropId, playerId }: QueueRequest): Promise<void> {
  const [me] = await tx.execute<{ group: string | null }>(
    sql`select account_group_id as "group" from users where id = ${playerId}`,
  );
  if (!me?.group) return;
  await tx.execute(
    sql`select pg_advisory_xact_lock(${QUEUE_GROUP_LOCK}, hashtext(${`${dropId}:${me.group}`}))`,
  );
  const [other] = await tx.execute(sql`
    select 1 from queue_places p join users u on u.id = p.player_id
    where p.drop_id = ${dropId} and p.superseded_at is null and p.player_id <> ${playerId}
      and u.account_group_id = ${me.group}
    limit 1`);
  if (other) {
    throw new AppError(
      "queue_linked_place",
      "An account linked to yours already holds a place in this waiting room: one place per linked account group",
    );
  }
}

/**
 * The drop's eligibility rules at the join, so an account that could never claim takes no place
 * and no admission. The request's country is not known here: the claim judges location.
 */
async function refuseIneligible(
  tx: Tx,
  { playerId }: QueueRequest,
  rules: EligibilityRules,
): Promise<void> {
  const [player] = await tx.execute<PlayerFacts & { now: string }>(sql`
    select email_verified_at as "emailVerifiedAt", created_at as "createdAt", region,
           loyalty_tier as "loyaltyTier", flagged_at as "flaggedAt", suspended_at as "suspendedAt",
           adult_declared_at as "adultDeclaredAt", now()::text as now
    from users where id = ${playerId}`);
  if (!player) throw new AppError("unauthenticated", "Sign in first");
  const facts = { ...player, createdAt: new Date(player.createdAt) };
  const excludedRegions = new Set(await listExcludedCodes(tx));
  const rule = failedRule(rules, facts, new Date(player.now), { excludedRegions });
  if (rule) {
    const reason = `not_eligible:${rule}` as const;
    throw new AppError(refusalErrorCode(reason), refusalMessage(reason), { reason });
  }
}

/**
 * Joins the drop's waiting room. Idempotent: a second join (or a concurrent one) returns the
 * same place. A player whose admission expired joins again at the back, under a new pseudonym.
 */
export async function joinQueue(db: Db, request: QueueRequest): Promise<QueueView> {
  await db.transaction((tx) => joinRoom(tx, request));
  return getQueueView(db, request);
}

/**
 * A join inside its transaction. It first takes a share lock on the room's row, which the
 * admitter's pass (FOR NO KEY UPDATE) waits for and blocks: every join then falls wholly
 * before a pass or wholly after it, and its time is stamped after the lock, so a join the
 * shuffle missed carries a time after the start and is placed, and replayed, as an arrival.
 */
export async function joinRoom(tx: Tx, request: QueueRequest): Promise<void> {
  const { dropId, playerId } = request;
  await shareRoomLock(tx, dropId);
  const room = await requireRoom(tx, dropId);
  if (room.closed) {
    throw new AppError("queue_closed", "This drop's waiting room is closed: the drop ended");
  }
  if (room.notOpen) {
    const opensAt = new Date(room.opensMs).toISOString();
    throw new AppError("queue_not_open", `The waiting room opens at ${opensAt}`, { opensAt });
  }
  const place = await livePlace(tx, request);
  if (place && !place.expired) return;
  await refuseIneligible(tx, request, room.eligibility);
  if (room.eligibility.onePerGroup) await refuseLinkedPlace(tx, request);
  await refuseAfterLeaves(tx, request);
  if (place) {
    await tx.execute(sql`
      update queue_places set superseded_at = now() where id = ${place.id} and superseded_at is null`);
  }
  const salt = randomBytes(32);
  // Milliseconds: the published join time is what the replay orders arrivals by.
  await tx.execute(sql`
    insert into queue_places (drop_id, player_id, pseudonym, salt, joined_at)
    values (${dropId}, ${playerId}, ${placePseudonym(dropId, playerId, salt)},
            decode(${salt.toString("hex")}, 'hex'), date_trunc('milliseconds', clock_timestamp()))
    on conflict (drop_id, player_id) where superseded_at is null do nothing`);
}

/**
 * The room row's share lock, taken by joins and leaves: the admitter's pass locks the row
 * exclusively, so each falls wholly before a pass or wholly after it. A malformed id has no row
 * to lock; requireRoom then refuses it in words.
 */
async function shareRoomLock(tx: Tx, dropId: string): Promise<void> {
  if (!z.uuid().safeParse(dropId).success) return;
  await tx.execute(sql`select 1 from drop_queues where drop_id = ${dropId} for share`);
}

/**
 * A player who left this room MAX_QUEUE_LEAVES times may not join it again. Leaves are counted
 * from their audit events, which outlive the pre-queue entries a leave deletes.
 */
async function refuseAfterLeaves(tx: Tx, { dropId, playerId }: QueueRequest): Promise<void> {
  const [row] = await tx.execute<{ leaves: number }>(sql`
    select count(*)::int as leaves from audit_events
    where actor_id = ${playerId} and action = 'queue_leave' and subject = ${`drop:${dropId}`}`);
  if ((row?.leaves ?? 0) >= MAX_QUEUE_LEAVES) {
    throw new AppError(
      "queue_left_too_often",
      `You have left this waiting room ${MAX_QUEUE_LEAVES} times, so you cannot join it again`,
      { leaves: row?.leaves ?? 0, maxLeaves: MAX_QUEUE_LEAVES },
    );
  }
}

/**
 * Leaves the drop's waiting room; idempotent (holding no place, nothing changes). A place not in
 * the order yet (the pre-queue before the draw, an arrival not yet placed) is removed: the draw
 * and the replay see the entries that stayed. A place with a position stays in the proof, marked
 * left, and the admitter passes over it. Joining again is a new place at the back (before the
 * draw: a new entry in the pre-queue, with the same chance).
 */
export async function leaveQueue(db: Db, request: QueueRequest): Promise<QueueView> {
  await db.transaction((tx) => leaveRoom(tx, request));
  return getQueueView(db, request);
}

async function leaveRoom(tx: Tx, request: QueueRequest): Promise<void> {
  const { dropId, playerId, ...context } = request;
  // The join's share lock on the room's row: a leave falls wholly before an admitter's pass or
  // wholly after it, so no place is drawn, placed or admitted while it goes.
  await shareRoomLock(tx, dropId);
  await requireRoom(tx, dropId);
  const place = await livePlace(tx, request);
  if (!place) return;
  if (place.expiresMs !== null && !place.expired) {
    throw new AppError(
      "queue_admitted",
      "It is your turn already: claim before your admission runs out, or let it run out",
    );
  }
  // Returning: of two concurrent leaves, only the one that changed the place is audited.
  const changed =
    place.position === null
      ? await tx.execute(sql`delete from queue_places where id = ${place.id} returning id`)
      : await tx.execute(sql`
          update queue_places set superseded_at = now()
          where id = ${place.id} and superseded_at is null returning id`);
  if (changed.length === 0) return;
  // Audited, so an entry gone from the pre-queue can be told from one an operator removed.
  await recordEvent(tx, {
    ...context,
    actorId: playerId,
    action: "queue_leave",
    subject: `drop:${dropId}`,
    outcome: "ok",
    data: { pseudonym: place.pseudonym, position: place.position },
  });
  await notify(tx, "analytics", dropId);
}

/**
 * On a drop's resume, before its pause time is cleared: admissions that were running when it
 * paused get the pause's length back, since claims were refused `paused` all along. Their
 * tokens are signed from the expiry at each view, so the next view gives the longer one.
 */
export async function extendAdmissionsOverPause(tx: Tx, dropId: string): Promise<void> {
  await tx.execute(sql`
    update queue_places p
    set admission_expires_at = p.admission_expires_at + (now() - d.paused_at)
    from drops d
    where d.id = p.drop_id and p.drop_id = ${dropId} and d.paused_at is not null
      and p.superseded_at is null and p.admission_expires_at > d.paused_at`);
}

/** Queue length, admissions and the time to clear, for the admin. */
export async function getQueueStats(db: DbOrTx, dropId: string): Promise<QueueStats> {
  const room = await requireRoomOrOff(db, dropId);
  const [counts] = await db.execute<{ claimed: number }>(sql`
    select count(*)::int as claimed from queue_places p
    where p.drop_id = ${dropId} and p.admitted_at is not null
      and exists (select 1 from redemptions r where r.drop_id = p.drop_id
                  and r.player_id = p.player_id and r.created_at >= p.admitted_at)`);
  const queueLength = room.lastPosition - room.admittedThrough + room.unplaced;
  return {
    dropId,
    enabled: room.enabled,
    queueLength,
    admitted: room.admittedThrough,
    claimedAfterAdmission: counts?.claimed ?? 0,
    admissionRatePerMinute: room.rate,
    estimatedClearSeconds: queueLength > 0 ? estimateWaitSeconds(queueLength, room.rate) : null,
    opensAt: new Date(room.opensMs).toISOString(),
    shuffledAt: room.shuffledMs === null ? null : new Date(room.shuffledMs).toISOString(),
  };
}

/** Changes the admission rate live; audited, and open pages follow at once. */
export async function setAdmissionRate(
  db: Db,
  change: { dropId: string; ratePerMinute: number; actorId: string } & RequestContext,
): Promise<QueueStats> {
  const { dropId, ratePerMinute, actorId, ...context } = change;
  await db.transaction(async (tx) => {
    const before = await requireRoomOrOff(tx, dropId);
    await tx.execute(sql`
      update drop_queues set admission_rate_per_minute = ${ratePerMinute} where drop_id = ${dropId}`);
    await recordEvent(tx, {
      ...context,
      actorId,
      action: "queue_rate_set",
      subject: `drop:${dropId}`,
      outcome: "ok",
      data: {
        before: { admissionRatePerMinute: before.rate },
        after: { admissionRatePerMinute: ratePerMinute },
      },
    });
    await notify(tx, "analytics", dropId);
  });
  return getQueueStats(db, dropId);
}

/**
 * The public proof: the seed's hash (the seed once shuffled), every place in join order under
 * its pseudonym alone, and the order positions were given in. Public from the pre-queue's
 * opening: the list is fixed before the seed is revealed.
 */
export async function getQueueProof(db: DbOrTx, dropId: string): Promise<QueueProof> {
  const room = await requireRoomOrOff(db, dropId);
  const entries = await db.execute<{
    pseudonym: string;
    joinedMs: number;
    position: number | null;
    left: boolean;
  }>(sql`
    select pseudonym, ${ms("joined_at")} as "joinedMs", position,
           (superseded_at is not null and admitted_at is null) as left
    from queue_places
    where drop_id = ${dropId}
    order by joined_at, pseudonym collate "C"`);
  const placed = entries
    .filter((e) => e.position !== null)
    .sort((a, b) => (a.position as number) - (b.position as number));
  const [logged] =
    room.shuffledMs === null
      ? []
      : await db.execute<{ leaf: string; leafIndex: number | null }>(sql`
          select encode(leaf_data, 'hex') as leaf, leaf_index::float8 as "leafIndex"
          from ledger_entries where queue_drop_id = ${dropId}`);
  return {
    dropId,
    algorithm: QUEUE_ALGORITHM,
    seedHash: room.seedHash,
    seed: room.seed,
    startsAt: new Date(room.startsMs).toISOString(),
    shuffledAt: room.shuffledMs === null ? null : new Date(room.shuffledMs).toISOString(),
    entries: entries.map((e) => ({
      pseudonym: e.pseudonym,
      joinedAt: new Date(e.joinedMs).toISOString(),
      ...(e.left ? { left: true as const } : {}),
    })),
    order: room.shuffledMs === null ? null : placed.map((e) => e.pseudonym),
    draw: logged ? { leaf: `0x${logged.leaf}`, leafIndex: logged.leafIndex } : null,
  };
}

/** How long one process serves a built proof: building one sorts and copies every place. */
const PROOF_TTL_MS = 1_000;
/** Random drop ids are refused before caching; this bounds the real rooms kept. */
const MAX_CACHED_PROOFS = 100;

const proofs = new Map<string, { readMs: number; proof: Promise<QueueProof> }>();

/**
 * The public proof as the route serves it: built at most once a second per process and drop,
 * and shared by the requests that come meanwhile, so a crowd of anonymous readers costs one
 * build a second rather than one each.
 */
export function getCachedQueueProof(
  db: DbOrTx,
  dropId: string,
  nowMs: number = Date.now(),
): Promise<QueueProof> {
  const cached = proofs.get(dropId);
  if (cached && nowMs - cached.readMs < PROOF_TTL_MS) return cached.proof;
  const proof = getQueueProof(db, dropId);
  if (proofs.size >= MAX_CACHED_PROOFS) proofs.clear();
  proofs.set(dropId, { readMs: nowMs, proof });
  // A refusal (no such room) or a failure is not kept.
  proof.catch(() => proofs.delete(dropId));
  return proof;
}

/** How many places the proof lists (one per join), without building it: for the queue page. */
export async function countQueueEntries(db: DbOrTx, dropId: string): Promise<number> {
  await requireRoomOrOff(db, dropId);
  const [row] = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from queue_places where drop_id = ${dropId}`,
  );
  return row?.n ?? 0;
}
