/** The waiting room's server side: joining, views, the admin's stats and rate, the public proof. */
import "server-only";
import type { Db } from "@/db/client";
import type { QueueProof, QueueStats, QueueView } from "./model";

export type QueueRequest = { dropId: string; playerId: string };

/** Joins the drop's waiting room; idempotent: a second join returns the same place. */
export async function joinQueue(_db: Db, _request: QueueRequest): Promise<QueueView> {
  throw new Error("not implemented");
}

/** The caller's view of the drop's waiting room. */
export async function getQueueView(_db: Db, _request: QueueRequest): Promise<QueueView> {
  throw new Error("not implemented");
}

/** Queue length, admissions and the time to clear, for the admin. */
export async function getQueueStats(_db: Db, _dropId: string): Promise<QueueStats> {
  throw new Error("not implemented");
}

/** Changes the admission rate live (audited). */
export async function setAdmissionRate(
  _db: Db,
  _change: { dropId: string; ratePerMinute: number; actorId: string },
): Promise<QueueStats> {
  throw new Error("not implemented");
}

/** The public proof: seed hash (seed once shuffled), entries in join order, the order. */
export async function getQueueProof(_db: Db, _dropId: string): Promise<QueueProof> {
  throw new Error("not implemented");
}
