import "server-only";
import type postgres from "postgres";
import type { WaitingRoomSample } from "./worker-metrics";

/**
 * Every waiting room not yet closed, with its length and rate, for the gauges: the rooms of
 * queued drops to come and of those under way (one row each, so the labels stay few). One small
 * read of the rooms' own rows, the length counted as the waiting room's stats count it
 * (lib/queue/queue.ts `getQueueStats`), but never the admin's count of claims after admission,
 * which grows with every place: a scrape costs the same however full the rooms are.
 */
export function openWaitingRooms(sql: postgres.TransactionSql): Promise<WaitingRoomSample[]> {
  return sql<WaitingRoomSample[]>`
    select drop_id as "dropId",
           (last_position - admitted_through + unplaced)::int as "queueLength",
           admission_rate_per_minute as "admissionRatePerMinute"
    from drop_queues where enabled and closed_at is null`;
}
