import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { postTransactions } from "@/lib/wallet/journal";
import { connectTestDb, createPlayers } from "@/test/db";
import { regulatorReportQuery } from "./model";
import { regulatorReport, regulatorReportCsv } from "./regulator-report";

const db = connectTestDb(4);

/** A journal transaction at a given time (the report reads created_at). */
async function move(
  at: string,
  kind: "purchase" | "grant" | "redemption" | "redemption_refund",
  player: string,
  region: string | null,
  currency: "GC" | "SC",
  amount: number,
) {
  const id = randomUUID();
  const counterparty =
    kind === "purchase" ? "purchases" : kind === "grant" ? "promotions" : "prize_liability";
  await db.transaction(async (tx) => {
    await postTransactions(tx, [
      {
        id,
        kind,
        idempotencyKey: `report-test:${id}`,
        userId: player,
        region,
        postings: [
          { account: { player, currency }, amount },
          { account: { system: counterparty, currency }, amount: -amount },
        ],
      },
    ]);
  });
  // The journal is append-only; its time is moved by a superuser session for the test only.
  await db.execute(
    sql`alter table wallet_transactions disable trigger wallet_transactions_append_only`,
  );
  await db.execute(
    sql`update wallet_transactions set created_at = ${at}::timestamptz where id = ${id}`,
  );
  await db.execute(
    sql`alter table wallet_transactions enable trigger wallet_transactions_append_only`,
  );
}

/** A settled round as the round engine leaves it (only what the report reads matters here). */
async function round(
  player: string,
  region: string,
  currency: "GC" | "SC",
  stake: number,
  payout: number,
  at: string,
) {
  const [seed] = await db.execute<{ id: string }>(sql`
    insert into fair_seeds (user_id, server_seed, server_seed_hash, player_salt, status)
    values (${player}, ${randomUUID()}, ${randomUUID()}, '\\x00', 'revealed') returning id`);
  await db.execute(sql`
    insert into game_rounds (user_id, idempotency_key, request_hash, game, currency, stake, payout,
      params, outcome, seed_id, client_seed, nonce, balance_after, region, created_at)
    values (${player}, ${randomUUID()}, '\\x00', 'dice', ${currency}::currency, ${stake}, ${payout},
      '{}', '{}', ${seed?.id}, 'c', 0, 0, ${region}, ${at}::timestamptz)`);
}

describe("the regulator's report", () => {
  it("sums each region's UTC day from the journal and the rounds", async () => {
    const [us, de] = (await createPlayers(db, 2)) as [string, string];
    await move("2026-11-01T23:30:00Z", "purchase", us, "US", "GC", 100_000);
    await move("2026-11-01T23:30:00Z", "purchase", us, "US", "SC", 500);
    await move("2026-11-02T00:10:00Z", "grant", de, "DE", "SC", 1_000);
    await move("2026-11-02T01:00:00Z", "grant", us, "US", "SC", 20_000);
    await move("2026-11-02T02:00:00Z", "redemption", us, "US", "SC", -6_000);
    await move("2026-11-03T02:00:00Z", "redemption_refund", us, "US", "SC", 6_000);
    await move("2026-11-02T03:00:00Z", "grant", de, null, "SC", 300);
    await round(de, "DE", "SC", 400, 1_000, "2026-11-02T05:00:00Z");
    await round(de, "DE", "SC", 100, 0, "2026-11-02T06:00:00Z");
    await round(de, "DE", "GC", 100, 0, "2026-11-02T06:00:00Z");
    await round(us, "FR", "SC", 250, 0, "2026-11-03T06:00:00Z");
    const report = await regulatorReport(db, { from: "2026-11-01", to: "2026-11-03" });
    expect(report.rows).toEqual([
      {
        day: "2026-11-01",
        region: "US",
        gcSold: "1000.00",
        scGranted: "5.00",
        scWagered: "0.00",
        scWon: "0.00",
        scRedeemed: "0.00",
      },
      {
        day: "2026-11-02",
        region: "DE",
        gcSold: "0.00",
        scGranted: "10.00",
        scWagered: "5.00",
        scWon: "10.00",
        scRedeemed: "0.00",
      },
      {
        day: "2026-11-02",
        region: "US",
        gcSold: "0.00",
        scGranted: "200.00",
        scWagered: "0.00",
        scWon: "0.00",
        scRedeemed: "60.00",
      },
      {
        day: "2026-11-02",
        region: null,
        gcSold: "0.00",
        scGranted: "3.00",
        scWagered: "0.00",
        scWon: "0.00",
        scRedeemed: "0.00",
      },
      {
        day: "2026-11-03",
        region: "FR",
        gcSold: "0.00",
        scGranted: "0.00",
        scWagered: "2.50",
        scWon: "0.00",
        scRedeemed: "0.00",
      },
      {
        day: "2026-11-03",
        region: "US",
        gcSold: "0.00",
        scGranted: "0.00",
        scWagered: "0.00",
        scWon: "0.00",
        scRedeemed: "-60.00",
      },
    ]);
    expect(regulatorReportCsv(report).split("\r\n").slice(0, 2)).toEqual([
      "day,region,gc_sold,sc_granted,sc_wagered,sc_won,sc_redeemed",
      "2026-11-01,US,1000.00,5.00,0.00,0.00,0.00",
    ]);
    expect((await regulatorReport(db, { from: "2026-11-04", to: "2026-11-04" })).rows).toEqual([]);
  });

  it("takes UTC days, both included, and at most a year", () => {
    expect(regulatorReportQuery.parse({ from: "2026-01-01", to: "2026-01-31" })).toEqual({
      from: "2026-01-01",
      to: "2026-01-31",
      format: "json",
    });
    for (const bad of [
      { from: "2026-02-01", to: "2026-01-31" },
      { from: "2024-01-01", to: "2026-01-31" },
      { from: "2026-02-30", to: "2026-03-01" },
      { from: "yesterday" },
    ]) {
      expect(regulatorReportQuery.safeParse(bad).success).toBe(false);
    }
  });
});
