/**
 * The waiting room's admission job (the worker's maintenance round runs it every second): it
 * shuffles each pre-queue at its drop's start, gives later arrivals the next positions in
 * arrival order, admits the next batch at the set rate (nobody while the drop is paused or sold
 * out), and closes a room whose drop ended. One admitter works a room at a time (a
 * transaction-scoped advisory lock; another skips the room that second), so with several
 * workers every position is given once and every batch admitted once. The room's row is then
 * locked FOR NO KEY UPDATE: unlike FOR UPDATE it lets joins insert places (their foreign key
 * takes KEY SHARE on it) while a pass runs.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { encodeLeaf } from "@/lib/ledger/leaf";
import { logError } from "@/lib/log";
import { queueDrawLeaf } from "./draw";
import { seedHashOf, shufflePreQueue } from "./shuffle";

export type AdmitOptions = {
  /**
   * Seconds a join must be old before it is ordered: a join's transaction committing after the
   * pass (its time stamped before) would otherwise fall out of arrival order. Tests pass 0.
   */
  settleSeconds?: number;
};

export type AdmissionPass = {
  dropId: string;
  shuffled: number;
  placed: number;
  admitted: number;
  closed: boolean;
  /** Another admitter held the room this pass: nothing was done. */
  busy: boolean;
  /** The pass failed (logged) and was rolled back; the next one retries. */
  failed: boolean;
};

const idle = (dropId: string): AdmissionPass => ({
  dropId,
  shuffled: 0,
  placed: 0,
  admitted: 0,
  closed: false,
  busy: false,
  failed: false,
});

/** Advisory lock class of one room's admitter (with hashtext of the drop id). */
export const ROOM_LOCK = 0x5155_4144; // "QUAD"

/** At most this much unused admission time carries over: a stalled worker brings no flood. */
const MAX_CREDIT_SECONDS = 10;
/** Later arrivals placed per pass and room: a bound on one transaction. */
const PLACE_BATCH = 20_000;

/** One pass over every room whose pre-queue is open and which is not closed. */
export async function admitWaitingRooms(
  db: Db,
  options: AdmitOptions = {},
): Promise<AdmissionPass[]> {
  const rooms = await db.execute<{ dropId: string }>(sql`
    select q.drop_id as "dropId" from drop_queues q join drops d on d.id = q.drop_id
    where q.enabled and q.closed_at is null
      and now() >= d.starts_at - make_interval(mins => q.pre_queue_minutes)
    order by q.drop_id`);
  const passes: AdmissionPass[] = [];
  for (const { dropId } of rooms) {
    // One room failing (and retried next second) must not stop the rooms after it.
    try {
      const pass = await db.transaction((tx) => admitRoom(tx, dropId, options.settleSeconds ?? 2));
      if (pass) passes.push(pass);
    } catch (error) {
      logError("waiting_room_failed_will_retry", error, { dropId });
      passes.push({ ...idle(dropId), failed: true });
    }
  }
  return passes;
}

type Locked = {
  seed: Buffer;
  rate: number;
  ttl: number;
  shuffled: boolean;
  lastPosition: number;
  admittedThrough: number;
  unplaced: number;
  /** ms since the epoch: the database's now, and when admissions so far were due. */
  nowMs: number;
  untilMs: number | null;
  started: boolean;
  settled: boolean;
  ended: boolean;
  paused: boolean;
  soldOut: boolean;
};

async function admitRoom(
  tx: Tx,
  dropId: string,
  settleSeconds: number,
): Promise<AdmissionPass | undefined> {
  const pass = idle(dropId);
  const [lock] = await tx.execute<{ held: boolean }>(
    sql`select pg_try_advisory_xact_lock(${ROOM_LOCK}, hashtext(${dropId})) as held`,
  );
  if (!lock?.held) return { ...pass, busy: true };
  const [room] = await tx.execute<Locked>(sql`
    select q.seed, q.admission_rate_per_minute as rate, q.admission_ttl_seconds as ttl,
           q.shuffled_at is not null as shuffled, q.last_position as "lastPosition",
           q.admitted_through as "admittedThrough", q.unplaced,
           (extract(epoch from now()) * 1000)::float8 as "nowMs",
           (extract(epoch from q.admitted_until) * 1000)::float8 as "untilMs",
           d.starts_at <= now() as started,
           d.starts_at <= now() - make_interval(secs => ${settleSeconds}) as settled,
           d.ends_at <= now() as ended, d.paused_at is not null as paused,
           not exists (select 1 from drop_units u
                       where u.drop_id = q.drop_id and u.status = 'available') as "soldOut"
    from drop_queues q join drops d on d.id = q.drop_id
    where q.drop_id = ${dropId} and q.enabled and q.closed_at is null
    for no key update of q`);
  // It closed since the list was read.
  if (!room) return undefined;
  // Only the end closes a room: a sold-out drop gets units back (expired or reversed claims).
  if (room.ended) return closeRoom(tx, dropId, room, pass);
  let { lastPosition } = room;
  let shuffled = room.shuffled;
  if (!shuffled && room.settled) {
    pass.shuffled = await shuffleRoom(tx, dropId, new Uint8Array(room.seed), room.nowMs);
    lastPosition = pass.shuffled;
    shuffled = true;
  }
  if (shuffled) {
    pass.placed = await placeArrivals(tx, dropId, lastPosition, settleSeconds);
    lastPosition += pass.placed;
  }
  // Paused or sold out, nobody is admitted: admissions would run out with nothing to claim.
  const admitting = shuffled && !room.paused && !room.soldOut;
  const admission = admitting ? batchDue(room, lastPosition) : undefined;
  let admittedThrough = room.admittedThrough;
  if (admission && admission.count > 0) {
    const admitted = await admitNext(tx, dropId, room, admission.count);
    pass.admitted = admitted.length;
    // Fewer than asked: every place left up to the last position has left the queue.
    admittedThrough =
      admitted.length < admission.count ? lastPosition : admitted.reduce((a, b) => Math.max(a, b));
  }
  const [count] = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from queue_places
    where drop_id = ${dropId} and position is null and superseded_at is null`);
  const unplaced = count?.n ?? 0;
  await tx.execute(sql`
    update drop_queues
    set last_position = ${lastPosition},
        admitted_through = ${admittedThrough},
        unplaced = ${unplaced},
        shuffled_at = case when ${shuffled} then coalesce(shuffled_at, now()) end,
        admitted_until = ${admission ? new Date(admission.untilMs).toISOString() : null}::timestamptz
    where drop_id = ${dropId}`);
  if (pass.shuffled + pass.placed + pass.admitted > 0 || unplaced !== room.unplaced) {
    await notify(tx, "analytics", dropId);
  }
  return pass;
}

/**
 * Closes an ended room. One ended within the settle after its start (start now, then end) was
 * never drawn: it is drawn, and the draw logged, first, so its pre-queue still gets the
 * committed order and the seed's reveal is fixed in the ledger.
 */
async function closeRoom(
  tx: Tx,
  dropId: string,
  room: Locked,
  pass: AdmissionPass,
): Promise<AdmissionPass> {
  const drawn = room.shuffled
    ? 0
    : await shuffleRoom(tx, dropId, new Uint8Array(room.seed), room.nowMs);
  await tx.execute(sql`
    update drop_queues
    set closed_at = now(), shuffled_at = coalesce(shuffled_at, now()),
        last_position = ${room.shuffled ? room.lastPosition : drawn}
    where drop_id = ${dropId}`);
  await notify(tx, "analytics", dropId);
  return { ...pass, shuffled: drawn, closed: true };
}

/**
 * Admits the next `count` places in position order, passing over those whose player left the
 * queue (they cost no share of the rate); answers the positions admitted.
 */
async function admitNext(
  tx: Tx,
  dropId: string,
  room: { admittedThrough: number; ttl: number },
  count: number,
): Promise<number[]> {
  const rows = await tx.execute<{ position: number }>(sql`
    with next as (
      select id from queue_places
      where drop_id = ${dropId} and position > ${room.admittedThrough} and superseded_at is null
      order by position
      limit ${count}
    )
    update queue_places p
    set admitted_at = now(), admission_expires_at = now() + make_interval(secs => ${room.ttl})
    from next where p.id = next.id
    returning p.position`);
  return rows.map((r) => r.position);
}

/**
 * How many to admit now: the rate times the time since admissions were last due (at most
 * MAX_CREDIT_SECONDS of it), no more than wait; and when admissions are next due. When the
 * queue runs dry the clock restarts, so no credit builds up while nobody waits.
 */
export function batchDue(
  room: { rate: number; nowMs: number; untilMs: number | null; admittedThrough: number },
  lastPosition: number,
): { count: number; untilMs: number } {
  const from = Math.max(room.untilMs ?? room.nowMs, room.nowMs - MAX_CREDIT_SECONDS * 1000);
  const due = Math.floor(((room.nowMs - from) * room.rate) / 60_000);
  const waiting = lastPosition - room.admittedThrough;
  if (waiting <= due) return { count: waiting, untilMs: room.nowMs };
  return { count: due, untilMs: from + (due * 60_000) / room.rate };
}

/**
 * The pre-queue (joined before the start) gets positions 1..n in the seed's shuffled order, and
 * the draw goes to the ledger in this transaction, the one that reveals the seed: the list of
 * entries is fixed in the log before anyone outside can use the seed.
 */
async function shuffleRoom(
  tx: Tx,
  dropId: string,
  seed: Uint8Array,
  nowMs: number,
): Promise<number> {
  const preQueue = await tx.execute<{ pseudonym: string }>(sql`
    select q.pseudonym from queue_places q join drops d on d.id = q.drop_id
    where q.drop_id = ${dropId} and q.joined_at < d.starts_at and q.superseded_at is null`);
  const order = shufflePreQueue(
    seed,
    dropId,
    preQueue.map((p) => p.pseudonym),
  );
  await logDraw(tx, dropId, seed, order, nowMs);
  if (order.length === 0) return 0;
  await tx.execute(sql`
    update queue_places p set position = o.n
    from unnest(${sql.param(order)}::text[]) with ordinality as o(pseudonym, n)
    where p.pseudonym = o.pseudonym and p.drop_id = ${dropId}`);
  return order.length;
}

/**
 * The draw's ledger entry, an empty pre-queue's too: that nobody queued is fixed as well. One per
 * drop (a unique index): a second would mean a second draw, and the pass fails instead.
 */
async function logDraw(
  tx: Tx,
  dropId: string,
  seed: Uint8Array,
  order: string[],
  nowMs: number,
): Promise<void> {
  const leaf = encodeLeaf(
    queueDrawLeaf({ dropId, seedHash: seedHashOf(seed), order, timeMs: Math.floor(nowMs) }),
  );
  await tx.execute(sql`
    insert into ledger_entries (kind, queue_drop_id, leaf_data)
    values ('queue_draw', ${dropId}, decode(${Buffer.from(leaf).toString("hex")}, 'hex'))`);
  await notify(tx, "ledger_entries");
}

/** Places joined since (and settled) get the next positions, in arrival order. */
async function placeArrivals(
  tx: Tx,
  dropId: string,
  lastPosition: number,
  settleSeconds: number,
): Promise<number> {
  const placed = await tx.execute(sql`
    with next as (
      select id, row_number() over (order by joined_at, pseudonym collate "C") as n
      from queue_places
      where drop_id = ${dropId} and position is null and superseded_at is null
        and joined_at < now() - make_interval(secs => ${settleSeconds})
      order by joined_at, pseudonym collate "C"
      limit ${PLACE_BATCH}
    )
    update queue_places p set position = ${lastPosition} + next.n
    from next where p.id = next.id
    returning 1`);
  return placed.length;
}
