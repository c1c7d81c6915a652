import "server-only";
import { sql } from "drizzle-orm";
import { type DbOrTx, getDb, sqlClient } from "@/db/client";
import { createLiveFeed, type LiveFeed } from "@/lib/analytics/live";
import type { DeliveriesPulse } from "./model";

export async function readDeliveriesPulse(db: DbOrTx): Promise<DeliveriesPulse> {
  // One index probe per status on (status, updated_at): a max over the whole table would scan it.
  const [row] = await db.execute<{ last_change: string | null; failed: number; dead: number }>(sql`
    select to_char(max(t.last) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as last_change,
           coalesce(sum(t.n) filter (where t.status = 'failed'), 0)::int as failed,
           coalesce(sum(t.n) filter (where t.status = 'dead'), 0)::int as dead
    from (
      select s.status,
             (select max(d.updated_at) from deliveries d where d.status = s.status) as last,
             case when s.status in ('failed', 'dead')
                  then (select count(*) from deliveries d where d.status = s.status) end as n
      from unnest(enum_range(null::delivery_status)) as s(status)
    ) t`);
  return { lastChange: row?.last_change ?? null, failed: row?.failed ?? 0, dead: row?.dead ?? 0 };
}

const globalFeed = globalThis as unknown as {
  prizeledgerDeliveriesFeed?: LiveFeed<DeliveriesPulse>;
};

/**
 * This process's feed of delivery changes for admin pages: woken by the `delivery` notification
 * every change sends (from any instance or worker), coalesced, one read per burst.
 */
export function adminDeliveriesFeed(): LiveFeed<DeliveriesPulse> {
  globalFeed.prizeledgerDeliveriesFeed ??= createLiveFeed(
    sqlClient(getDb()),
    () => readDeliveriesPulse(getDb()),
    { channel: "delivery", idleRefreshMs: 30_000 },
  );
  return globalFeed.prizeledgerDeliveriesFeed;
}
