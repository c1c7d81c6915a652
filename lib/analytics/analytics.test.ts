import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { redemptions } from "@/db/schema";
import { sequenceEntries } from "@/lib/anchoring/sequence-entries";
import { claimDrop } from "@/lib/claims/claim-drop";
import { expireOverdueClaims } from "@/lib/claims/expire-claims";
import { reverseRedemption } from "@/lib/redemptions/reverse-redemption";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { outcomeCounts } from "./claim-series";
import { getDashboard, percentiles } from "./dashboard";
import { dropReportCsv, dropReportSectionCsv, getDropReport } from "./drop-report";
import { rebuildAnalyticsRollups } from "./rebuild";

const db = connectTestDb(20);

const attempt = (dropId: string, playerId: string) =>
  claimDrop(db, { dropId, playerId }).then(
    (r) => r.redemption.id,
    () => null,
  );

/** The rollup tables as sorted text, to compare before and after a rebuild. */
async function rollupRows(): Promise<string[]> {
  const rows = await db.execute<{ row: string }>(sql`
    select 'c' || drop_id || at || reason || n as row from claim_outcome_seconds where n <> 0
    union all select 'm' || drop_id || at || reason || n from claim_outcome_minutes where n <> 0
    union all select 'r' || prize_id || region || hour || n from redemption_counts where n <> 0
    order by 1`);
  return rows.map((r) => r.row);
}

describe("analytics rollups", () => {
  it("match a recount over the raw tables after claims, refusals, an expiry and a reversal", async () => {
    const a = await createTestDrop(db, { units: 5, eligibility: { regions: ["US"] } });
    const b = await createTestDrop(db, { units: 3, kind: "physical" });
    const us = await createPlayers(db, 8);
    const de = await createPlayers(db, 2, { region: "DE" });
    const [admin] = await createPlayers(db, 1, { role: "admin" });

    // Drop A: 8 players for 5 units at once, a second try by three of the winners, two players
    // from elsewhere. Which five win is up to arrival order, so the second tries follow the draw.
    const firstTries = await Promise.all(us.map((p) => attempt(a.dropId, p)));
    const winners = us.filter((_, i) => firstTries[i] !== null);
    expect(winners).toHaveLength(5);
    await Promise.all([...winners.slice(0, 3), ...de].map((p) => attempt(a.dropId, p)));
    // Drop B: three physical prizes, players from two regions; one expires, one is reversed.
    const held = (
      await Promise.all([us[0], us[1], de[0]].map((p) => attempt(b.dropId, p as string)))
    ).filter((id): id is string => id !== null);
    expect(held).toHaveLength(3);
    await db
      .update(redemptions)
      .set({ actionDeadline: sql`now() - interval '1 second'` })
      .where(eq(redemptions.id, held[0] as string));
    expect(await expireOverdueClaims(db)).toBe(1);
    await reverseRedemption(db, {
      redemptionId: held[1] as string,
      adminId: admin as string,
      reason: "Shipped to the wrong player by mistake",
    });
    // A unit given back is claimed again by someone else.
    expect(await attempt(b.dropId, us[2] as string)).not.toBeNull();

    // Part of the log is anchored: sequence all, anchor a checkpoint covering the first 4 leaves.
    await sequenceEntries(db, 1000);
    await db.execute(sql`
      insert into checkpoints (tree_size, root_hash, status, tx_hash, anchored_at)
      values (4, '\\x00'::bytea, 'anchored', '0xabc', now())
      on conflict (tree_size) do update set status = 'anchored', tx_hash = '0xabc', anchored_at = now()`);

    // The recount, straight from the raw tables.
    const audit = await db.execute<{ drop_id: string; reason: string; n: number }>(sql`
      select substr(subject, 6) as drop_id,
             case when outcome = 'ok' then 'claimed' else reason end as reason, count(*)::int as n
      from audit_events where action = 'claim' group by 1, 2`);
    const heldNow = await db.execute<{
      prize_id: string;
      region: string;
      hour: number;
      n: number;
    }>(sql`
      select r.prize_id, u.region, extract(hour from r.created_at at time zone 'UTC')::int as hour,
             count(*)::int as n
      from redemptions r join users u on u.id = r.player_id
      where r.status in ('fulfilled', 'awaiting_action') group by 1, 2, 3`);
    const sum = (rows: Array<{ n: number }>) => rows.reduce((s, r) => s + Number(r.n), 0);

    const dashboard = await getDashboard(db);
    // The dashboard's windows (since midnight UTC, the last 5 minutes, the last 60 seconds) end at
    // its own clock reading: recounted over the same bounds, a midnight passing mid-test moves both.
    const end = Math.floor(Date.parse(dashboard.at) / 1000) * 1000;
    const answersSince = async (since: number) =>
      outcomeCounts(
        await db.execute<{ reason: string; n: number }>(sql`
          select case when outcome = 'ok' then 'claimed' else reason end as reason, count(*)::int as n
          from audit_events
          where action = 'claim' and at >= ${new Date(since).toISOString()}::timestamptz
          group by 1`),
      );
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n);
    expect(outcomeCounts(audit)).toMatchObject({
      claimed: 9,
      sold_out: 3,
      not_eligible: 2,
      limit_reached: 3,
    });
    expect(dashboard.outcomeMix.today).toEqual(
      await answersSince(new Date(end).setUTCHours(0, 0, 0, 0)),
    );
    const lastFiveMinutes = await answersSince(end - 299_000);
    expect(dashboard.outcomeMix.last5Minutes).toEqual(lastFiveMinutes);
    expect(sum(dashboard.claimsPerSecond.series.map((p) => ({ n: p.claimed })))).toBe(
      (await answersSince(end - 59_000)).claimed,
    );
    expect(dashboard.latency.samples).toBe(total(lastFiveMinutes));
    expect(dashboard.latency.p50).toBeGreaterThan(0);
    expect(dashboard.byHourOfDay.reduce((s, n) => s + n, 0)).toBe(sum(heldNow));
    for (const h of new Set(heldNow.map((r) => r.hour))) {
      expect(dashboard.byHourOfDay[h]).toBe(sum(heldNow.filter((r) => r.hour === h)));
    }
    expect(dashboard.redemptionsByKind).toEqual([
      { kind: "crypto", count: 5 },
      { kind: "physical", count: 2 },
    ]);
    expect(dashboard.byRegion).toEqual([
      { region: "US", count: 6 },
      { region: "DE", count: 1 },
    ]);
    expect(dashboard.topPrizes.map((p) => [p.prizeId, p.count])).toEqual([
      [a.prizeId, 5],
      [b.prizeId, 2],
    ]);
    const liveA = dashboard.liveDrops.find((d) => d.id === a.dropId);
    expect(liveA).toMatchObject({ units: 5, remaining: 0 });
    expect(liveA?.burnDown.at(-1)?.remaining).toBe(0);
    expect(dashboard.liveDrops.find((d) => d.id === b.dropId)).toMatchObject({ remaining: 1 });

    const [entries] = await db.execute<{ total: number; unanchored: number }>(sql`
      select count(*)::int as total, count(*) filter (where leaf_index is null or leaf_index >= 4)::int as unanchored
      from ledger_entries`);
    expect(dashboard.anchoring.pendingEntries).toBe(entries?.unanchored);
    expect(dashboard.anchoring.lastCheckpoint).toMatchObject({ treeSize: 4, txHash: "0xabc" });

    const report = await getDropReport(db, b.dropId);
    expect(report.deliveryStatus).toEqual({
      fulfilled: 0,
      awaiting_action: 2,
      expired: 1,
      reversed: 1,
    });
    expect(report.redemptions).toBe(4);
    expect(report.uniquePlayers).toBe(4);
    expect(report.outcomes.claimed).toBe(4);
    expect(report.claimCurve.points.at(-1)?.cumulative).toBe(4);
    // Claims reached its 3 units, but the expiry and the returned prize gave two back and only
    // one was claimed again: not sold out.
    expect(report.drop.remaining).toBe(1);
    expect(report.timeToSellOutSeconds).toBeNull();
    const [anchoredB] = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from ledger_entries e join redemptions r on r.id = e.redemption_id
      where e.kind = 'redemption' and r.drop_id = ${b.dropId} and e.leaf_index < 4`);
    expect(report.anchored).toBe(anchoredB?.n);
    expect(report.anchoredShare).toBeCloseTo((anchoredB?.n ?? 0) / 4);

    const reportA = await getDropReport(db, a.dropId);
    expect(reportA.refusalsByReason).toEqual([
      { reason: "limit_reached", label: "Per-player limit reached", count: 3 },
      { reason: "sold_out", label: "Sold out", count: 3 },
      { reason: "not_eligible:region", label: "Not eligible: region not open", count: 2 },
    ]);
    expect(reportA.uniquePlayers).toBe(5);
    expect(reportA.claimCurve.points.at(-1)?.cumulative).toBe(5);
    // Every unit given: sold out, within the seconds since its start.
    expect(reportA.drop.remaining).toBe(0);
    expect(reportA.timeToSellOutSeconds).toBeGreaterThanOrEqual(0);
    const csv = dropReportCsv(reportA);
    expect(csv).toContain(
      "# Refusals by reason\r\nreason,count,label\r\nlimit_reached,3,Per-player limit reached\r\n",
    );
    expect(csv).toContain(`drop_id,${a.dropId}\r\n`);
    expect(dropReportSectionCsv(reportA, "refusals")).toBe(
      [
        "reason,count,label",
        "limit_reached,3,Per-player limit reached",
        "sold_out,3,Sold out",
        "not_eligible:region,2,Not eligible: region not open",
        "",
      ].join("\r\n"),
    );
    expect(dropReportSectionCsv(reportA, "summary")).toContain(
      "units_given,5\r\nsold_out,true\r\n",
    );
    expect(dropReportSectionCsv(report, "summary")).toContain(
      "units_given,2\r\nsold_out,false\r\n",
    );

    // Everything anchored: the share reaches 1.
    await db.execute(sql`
      insert into checkpoints (tree_size, root_hash, status, tx_hash, anchored_at)
      values (${entries?.total}, '\\x00'::bytea, 'anchored', '0xdef', now())
      on conflict (tree_size) do update set status = 'anchored', tx_hash = '0xdef', anchored_at = now()`);
    expect((await getDropReport(db, b.dropId)).anchoredShare).toBe(1);
    expect((await getDashboard(db)).anchoring).toMatchObject({ pendingEntries: 0, lagSeconds: 0 });

    // The rebuild from raw tables gives the very counters kept along the way.
    const kept = await rollupRows();
    await rebuildAnalyticsRollups(db);
    expect(await rollupRows()).toEqual(kept);
  });

  it("reads percentiles from the latency histogram", () => {
    expect(percentiles([])).toEqual({ p50: null, p95: null, p99: null, samples: 0 });
    // 90 answers in bucket 8 (16-19 ms), 10 in bucket 20 (32-38 ms... 2^5 = 32).
    const p = percentiles([
      { bucket: 20, n: 10 },
      { bucket: 8, n: 90 },
    ]);
    expect(p.samples).toBe(100);
    expect(p.p50).toBeCloseTo(2 ** (8.5 / 4), 1);
    expect(p.p95).toBeCloseTo(2 ** (20.5 / 4), 1);
  });

  it("answers not_found for an unknown drop", async () => {
    await expect(getDropReport(db, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(getDropReport(db, "nope")).rejects.toMatchObject({ code: "not_found" });
  });
});
