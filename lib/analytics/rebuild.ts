import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";

/**
 * Recomputes the claim-answer and held-redemption rollups from the raw tables (the audit trail's
 * claim events, the redemptions), with writers held off while it counts: after a bulk load that
 * bypassed the claim engine, or to check the running counters. The latency histogram is kept
 * nowhere else and stays as it is. (The SQL function is in migration 0004.)
 */
export async function rebuildAnalyticsRollups(db: DbOrTx): Promise<void> {
  await db.transaction((tx) => tx.execute(sql`select rebuild_analytics_rollups()`));
}
