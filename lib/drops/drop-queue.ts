import "server-only";
import type { DbOrTx } from "@/db/client";
import { isAppError } from "@/lib/errors/app-error";
import type { QueueStats, QueueView } from "@/lib/queue/model";
import { getQueueStats, getQueueView, type QueueRequest } from "@/lib/queue/queue";

/**
 * A drop's waiting room as its pages read it: undefined when the drop has none (the queue's
 * functions refuse `not_found` for the API), so a page shows the drop without one.
 */
async function unlessNoRoom<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") return undefined;
    throw error;
  }
}

/** The player's place in the drop's waiting room; undefined when it has none or it is off. */
export function findQueueView(db: DbOrTx, request: QueueRequest): Promise<QueueView | undefined> {
  return unlessNoRoom(getQueueView(db, request));
}

/** The drop's waiting room for the admin (on or off); undefined when it has none. */
export function findQueueStats(db: DbOrTx, dropId: string): Promise<QueueStats | undefined> {
  return unlessNoRoom(getQueueStats(db, dropId));
}
