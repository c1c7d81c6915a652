import { sql } from "drizzle-orm";
import type postgres from "postgres";
import { describe, expect, it } from "vitest";
import { getDashboard } from "@/lib/analytics/dashboard";
import { getDropReport } from "@/lib/analytics/drop-report";
import { rebuildAnalyticsRollups } from "@/lib/analytics/rebuild";
import { connectTestDb } from "@/test/db";
import { seedAnalytics } from "./analytics-seed";

const db = connectTestDb(4);
// drizzle keeps its postgres.js client on $client; the Db type does not spell it out.
const client = () => (db as unknown as { $client: postgres.Sql }).$client;

describe("seed:analytics", () => {
  it("seeds redemptions whose rollups agree with the raw rows", async () => {
    const seed = await seedAnalytics(db, client(), { redemptions: 12_000 });
    const [counts] = await db.execute<{ redemptions: number; held: number; drops: number }>(sql`
      select count(*)::int as redemptions,
             (count(*) filter (where status in ('fulfilled', 'awaiting_action')))::int as held,
             count(distinct drop_id)::int as drops
      from redemptions`);
    expect(counts?.redemptions).toBe(12_000);
    expect(counts?.drops).toBe(seed.drops);

    const dashboard = await getDashboard(db);
    expect(dashboard.byHourOfDay.reduce((s, n) => s + n, 0)).toBe(counts?.held);
    expect(dashboard.redemptionsByKind.reduce((s, k) => s + k.count, 0)).toBe(counts?.held);
    expect(dashboard.liveDrops.map((d) => d.id)).toContain(seed.liveDropId);
    expect(dashboard.latency.samples).toBeGreaterThan(0);
    expect(dashboard.anchoring.lastCheckpoint?.treeSize).toBeGreaterThan(0);

    const report = await getDropReport(db, seed.liveDropId);
    const [live] = await db.execute<{ n: number; players: number }>(sql`
      select count(*)::int as n, count(distinct player_id)::int as players from redemptions
      where drop_id = ${seed.liveDropId}`);
    expect(report.redemptions).toBe(live?.n);
    expect(report.uniquePlayers).toBe(live?.players);
    expect(report.outcomes.claimed).toBe(live?.n);

    // Rebuilding once more changes nothing: the seed left the rollups as the raw rows say.
    const before = await db.execute(sql`select * from redemption_counts order by 1, 2, 3`);
    await rebuildAnalyticsRollups(db);
    expect(await db.execute(sql`select * from redemption_counts order by 1, 2, 3`)).toEqual(before);
  });
});
