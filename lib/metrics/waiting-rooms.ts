import "server-only";
import type postgres from "postgres";
import type { WaitingRoomSample } from "./worker-metrics";

/**
 * Every waiting room not yet closed, with its length and rate, for the gauges: the rooms of
 * queued drops to come and of those under way (one row each, so the labels stay few). One small
 * read of the rooms' own rows, the length counted as the waiting room's stats count it
 * (lib/queue/queue.ts `getQueueStats`), but never the admin's count of claims after admission,
 * which grows with every place: a scrape costs the same however full the rooms are. A room
 * admits once shuffled (lib/queue/admit.ts), unless its drop is paused.
 */
export function openWaitingRooms(sql: postgres.TransactionSql): Promise<WaitingRoomSample[]> {
  return sql<WaitingRoomSample[]>`
    select q.drop_id as "dropId",
           (q.last_position - q.admitted_through + q.unplaced)::int as "queueLength",
           q.admission_rate_per_minute as "admissionRatePerMinute",
           q.admitted_through as admitted,
           q.shuffled_at is not null and d.paused_at is null as admitting
    from drop_queues q join drops d on d.id = q.drop_id
    where q.enabled and q.closed_at is null`;
}
