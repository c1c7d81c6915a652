/**
 * The claim path's cheap front door to a waiting room: a claim without a valid admission to a
 * drop whose room is on is refused before the claim engine reserves its Idempotency-Key, counts
 * it against the rate limits, takes the drop's lock or links accounts. Bots that ignore the
 * queue then cost one cached lookup. The engine's own check in the batch stays the
 * authoritative one (this cache may be a few seconds old).
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { AdmissionCheck } from "./admission-token";

/** How long this process trusts what it read about a drop's room. */
const TTL_MS = 5_000;
/** Random drop ids could otherwise grow the cache without bound. */
const MAX_CACHED = 10_000;

const rooms = new Map<string, { queued: boolean; readMs: number }>();

async function isQueued(db: DbOrTx, dropId: string, nowMs: number): Promise<boolean> {
  const cached = rooms.get(dropId);
  if (cached && nowMs - cached.readMs < TTL_MS) return cached.queued;
  const [row] = await db.execute<{ queued: boolean }>(sql`
    select exists (select 1 from drop_queues where drop_id = ${dropId} and enabled) as queued`);
  if (rooms.size >= MAX_CACHED) rooms.clear();
  const queued = row?.queued ?? false;
  rooms.set(dropId, { queued, readMs: nowMs });
  return queued;
}

/**
 * The refusal a claim gets at once, or undefined to let the claim engine judge it: an admitted
 * claim, or one to a drop without a room, goes on.
 */
export async function refusalBeforeClaim(
  db: DbOrTx,
  dropId: string,
  admission: AdmissionCheck | undefined,
  nowMs: number = Date.now(),
): Promise<"admission_required" | "admission_expired" | undefined> {
  if (admission === "admitted" || !(await isQueued(db, dropId, nowMs))) return undefined;
  return admission === "expired" ? "admission_expired" : "admission_required";
}
