import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { claimDailyBonus, grantCoins } from "./free-coins";
import { statementFilterSchema } from "./model";
import { getWalletOverview } from "./overview";
import { listStatement, statementCsvStream } from "./statement";

const db = connectTestDb(4);

describe("the statement", () => {
  it("refuses days that are no calendar days, which PostgreSQL would fail on", () => {
    for (const bad of ["2026-02-30", "0000-01-01", "2026-1-01", "2026-13-01"]) {
      expect(statementFilterSchema.safeParse({ from: bad }).success, bad).toBe(false);
    }
    expect(statementFilterSchema.parse({ from: "2028-02-29", to: "" })).toEqual({
      from: "2028-02-29",
    });
  });

  it("lists every posting with its balance after, filtered and paged by keyset", async () => {
    const [admin = "", player = ""] = await createPlayers(db, 2);
    const grant = (currency: "GC" | "SC", amount: number, key: string, reason = "test") =>
      grantCoins(db, {
        adminId: admin,
        userId: player,
        currency,
        amount,
        reason,
        idempotencyKey: key,
      });
    await grant("GC", 1000, "a");
    await grant("SC", 250, "b");
    await grant("GC", 500, "c");
    await claimDailyBonus(db, { userId: player, amount: 100 });

    const all = await listStatement(db, player, {}, { limit: 50 });
    expect(all.lines.map((l) => [l.kind, l.currency, l.amount, l.balanceAfter])).toEqual([
      ["daily_bonus", "SC", 100, 350],
      ["grant", "GC", 500, 1500],
      ["grant", "SC", 250, 250],
      ["grant", "GC", 1000, 1000],
    ]);
    expect(all.nextCursor).toBeNull();

    const gc = await listStatement(db, player, { currency: "GC" }, { limit: 1 });
    expect(gc.lines.map((l) => l.balanceAfter)).toEqual([1500]);
    const older = await listStatement(
      db,
      player,
      { currency: "GC" },
      { limit: 1, cursor: gc.nextCursor ?? undefined },
    );
    expect(older.lines.map((l) => l.balanceAfter)).toEqual([1000]);
    expect(older.nextCursor).toBeNull();

    const bonus = await listStatement(db, player, { kind: "daily_bonus" }, { limit: 50 });
    expect(bonus.lines).toHaveLength(1);
    const future = await listStatement(db, player, { from: "2999-01-01" }, { limit: 50 });
    expect(future.lines).toHaveLength(0);

    const csv = await new Response(statementCsvStream(db, player, {})).text();
    const records = csv.split("\r\n");
    expect(records[0]).toBe("posting_id,at,kind,description,currency,amount,balance_after");
    expect(records).toHaveLength(6);
    expect(records[1]).toMatch(/,daily_bonus,Daily free Sweeps Coins,SC,1\.00,3\.50$/);

    const overview = await getWalletOverview(db);
    expect(overview.totals.promotions.GC).toBeLessThanOrEqual(-1500);
    expect(overview.recent[0]?.kind).toBe("daily_bonus");
  });
});
