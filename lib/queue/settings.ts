/** A drop's waiting-room settings: saved with the drop (createDrop, updateDrop), read by pages. */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx, Tx } from "@/db/client";
import { env } from "@/lib/config/env";
import type { AllocationMode } from "@/lib/drops/model";
import { AppError } from "@/lib/errors/app-error";
import { QUEUE_DEFAULTS, type WaitingRoomInput, type WaitingRoomSettings } from "./model";

/** The drop's settings, or null when it never had a waiting room. */
export async function getWaitingRoomSettings(
  db: DbOrTx,
  dropId: string,
): Promise<WaitingRoomSettings | null> {
  if (!z.uuid().safeParse(dropId).success) return null;
  const [row] = await db.execute<WaitingRoomSettings>(sql`
    select enabled, pre_queue_minutes as "preQueueMinutes",
           admission_rate_per_minute as "admissionRatePerMinute",
           admission_ttl_seconds as "admissionTtlSeconds"
    from drop_queues where drop_id = ${dropId}`);
  return row ?? null;
}

function refuseLottery(allocation: AllocationMode, enabled: boolean): void {
  if (allocation === "lottery" && enabled) {
    throw new AppError(
      "invalid_input",
      "A lottery drop needs no waiting room: every entry before the end has the same chance",
      { field: "waitingRoom" },
    );
  }
}

/** A fresh secret seed: only its hash is public until the shuffle. */
function newSeed(): { seed: Buffer; seedHash: Buffer } {
  const seed = randomBytes(32);
  return { seed, seedHash: createHash("sha256").update(seed).digest() };
}

async function insertRoom(tx: Tx, dropId: string, settings: WaitingRoomSettings): Promise<void> {
  const { seed, seedHash } = newSeed();
  await tx.execute(sql`
    insert into drop_queues (drop_id, enabled, pre_queue_minutes, admission_rate_per_minute,
                             admission_ttl_seconds, seed, seed_hash)
    values (${dropId}, ${settings.enabled}, ${settings.preQueueMinutes},
            ${settings.admissionRatePerMinute}, ${settings.admissionTtlSeconds},
            decode(${seed.toString("hex")}, 'hex'), decode(${seedHash.toString("hex")}, 'hex'))`);
}

/**
 * A new drop's room: on when asked, or by default for a first-come drop of at least
 * WAITING_ROOM_THRESHOLD units. A drop without one (asked off, or under the threshold) gets no row.
 */
export async function createWaitingRoom(
  tx: Tx,
  drop: { id: string; units: number; allocation: AllocationMode },
  input: WaitingRoomInput | undefined,
): Promise<void> {
  const enabled =
    input?.enabled ??
    (drop.allocation === "first_come" && drop.units >= env().WAITING_ROOM_THRESHOLD);
  refuseLottery(drop.allocation, enabled);
  if (!enabled && input === undefined) return;
  await insertRoom(tx, drop.id, { ...QUEUE_DEFAULTS, ...input, enabled });
}

/**
 * A change to a drop's room. Before its pre-queue opens anything may change; once open, players
 * hold places, so it stays on with its lead time and the drop's start (which splits the
 * pre-queue from later arrivals) stays put; only the rate and the admission lifetime may change.
 */
export async function updateWaitingRoom(
  tx: Tx,
  dropId: string,
  allocation: AllocationMode,
  input: WaitingRoomInput | undefined,
  change: { startsAtChanged: boolean } = { startsAtChanged: false },
): Promise<void> {
  const [room] = await tx.execute<WaitingRoomSettings & { open: boolean }>(sql`
    select q.enabled, q.pre_queue_minutes as "preQueueMinutes",
           q.admission_rate_per_minute as "admissionRatePerMinute",
           q.admission_ttl_seconds as "admissionTtlSeconds",
           now() >= d.starts_at - make_interval(mins => q.pre_queue_minutes) as open
    from drop_queues q join drops d on d.id = q.drop_id
    where q.drop_id = ${dropId} for update of q`);
  if (!room) {
    if (input) await createWaitingRoom(tx, { id: dropId, units: 0, allocation }, input);
    return;
  }
  const next: WaitingRoomSettings = {
    enabled: input?.enabled ?? room.enabled,
    preQueueMinutes: input?.preQueueMinutes ?? room.preQueueMinutes,
    admissionRatePerMinute: input?.admissionRatePerMinute ?? room.admissionRatePerMinute,
    admissionTtlSeconds: input?.admissionTtlSeconds ?? room.admissionTtlSeconds,
  };
  refuseLottery(allocation, next.enabled);
  if (
    room.enabled &&
    room.open &&
    (next.enabled !== room.enabled ||
      next.preQueueMinutes !== room.preQueueMinutes ||
      change.startsAtChanged)
  ) {
    throw new AppError(
      "queue_open",
      "The waiting room is open and players hold places: it stays on with its lead time, and the start stays put. Its admission rate and lifetime can still change.",
      { field: "waitingRoom" },
    );
  }
  await tx.execute(sql`
    update drop_queues
    set enabled = ${next.enabled}, pre_queue_minutes = ${next.preQueueMinutes},
        admission_rate_per_minute = ${next.admissionRatePerMinute},
        admission_ttl_seconds = ${next.admissionTtlSeconds}
    where drop_id = ${dropId}`);
}
