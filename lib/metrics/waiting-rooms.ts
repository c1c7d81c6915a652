import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { dropQueues } from "@/db/schema";
import { getQueueStats } from "@/lib/queue/queue";
import type { WaitingRoomSample } from "./worker-metrics";

/**
 * Every waiting room not yet closed, with its length and rate, for the gauges: the rooms of
 * queued drops to come and of those under way (one row each, so the labels stay few). One room
 * after another, so a scrape holds one connection.
 */
export async function openWaitingRooms(db: Db): Promise<WaitingRoomSample[]> {
  const rooms = await db
    .select({ dropId: dropQueues.dropId })
    .from(dropQueues)
    .where(and(eq(dropQueues.enabled, true), isNull(dropQueues.closedAt)));
  const samples: WaitingRoomSample[] = [];
  for (const { dropId } of rooms) {
    const { queueLength, admissionRatePerMinute } = await getQueueStats(db, dropId);
    samples.push({ dropId, queueLength, admissionRatePerMinute });
  }
  return samples;
}
