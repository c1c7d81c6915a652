import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers } from "@/test/db";
import { claimDailyBonus, grantCoins, promotionPostings } from "./free-coins";
import { postTransactions } from "./journal";
import { formatCoins, statementFilterSchema } from "./model";
import { getWalletOverview } from "./overview";
import { listStatement, MAX_CSV_EXPORTS, statementCsvStream } from "./statement";

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

  it("serves a few CSV downloads at once, so that unread ones cannot take the pool", async () => {
    // The pool has 4 connections; each download being read holds one through its cursor.
    const players = await createPlayers(db, MAX_CSV_EXPORTS + 1);
    await db.transaction((tx) =>
      postTransactions(
        tx,
        players.map((player) => ({
          kind: "grant" as const,
          idempotencyKey: `csv-slot:${player}`,
          userId: player,
          reason: "one line",
          postings: promotionPostings(player, "GC", 100),
        })),
      ),
    );
    const codeOf = (open: () => unknown) => {
      try {
        open();
        return "ok";
      } catch (error) {
        return error instanceof AppError ? error.code : String(error);
      }
    };
    // Downloads started and then left unread after their header.
    const readers = players.slice(0, MAX_CSV_EXPORTS).map((player) => {
      const reader = statementCsvStream(db, player, {}).getReader();
      return { player, reader };
    });
    for (const { reader } of readers) expect((await reader.read()).done).toBe(false);
    const [last = ""] = players.slice(MAX_CSV_EXPORTS);
    const [first = { player: "", reader: undefined }] = readers;
    expect(codeOf(() => statementCsvStream(db, last, {}))).toBe("rate_limited");
    expect(codeOf(() => statementCsvStream(db, first.player, {}))).toBe("rate_limited");
    // The rest of the app still gets connections.
    expect(await db.execute(sql`select 1 as one`)).toHaveLength(1);
    // A download abandoned, and one read to its end, each give their place back.
    await first.reader?.cancel();
    const csv = await new Response(statementCsvStream(db, last, {})).text();
    expect(csv.trimEnd().split("\r\n")).toHaveLength(2);
    for (const { reader } of readers.slice(1)) await reader.cancel();
    expect(codeOf(() => statementCsvStream(db, first.player, {}).cancel())).toBe("ok");
  });

  it("exports a long statement in one query, each line with its balance after", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const count = 2500;
    // Alternating GC and SC grants, 1..count minor units each: the running sums are known.
    await db.transaction((tx) =>
      postTransactions(
        tx,
        Array.from({ length: count }, (_, i) => ({
          kind: "grant" as const,
          idempotencyKey: `long:${player}:${i}`,
          userId: player,
          reason: "bulk",
          postings: promotionPostings(player, i % 2 === 0 ? "GC" : "SC", i + 1),
        })),
      ),
    );
    const queries: string[] = [];
    const client = sqlClient(db);
    client.options.debug = (_connection, query) => queries.push(query);
    let csv: string;
    try {
      csv = await new Response(statementCsvStream(db, player, { currency: "SC" })).text();
    } finally {
      client.options.debug = false;
    }
    expect(queries).toHaveLength(1);
    const records = csv.trimEnd().split("\r\n").slice(1);
    expect(records).toHaveLength(count / 2);
    let balance = (count / 2) * (count / 2 + 1); // 2 + 4 + … + count
    for (const record of records) {
      const [, , , , currency, amount, after] = record.split(",");
      expect(currency).toBe("SC");
      expect(after).toBe(formatCoins(balance));
      balance -= Math.round(Number(amount) * 100);
    }
    expect(balance).toBe(0);
    // The same balances page by page, the pages' window starting at their own oldest line.
    const first = await listStatement(db, player, {}, { limit: 3 });
    const second = await listStatement(db, player, {}, { limit: 3, cursor: first.nextCursor ?? 0 });
    expect([...first.lines, ...second.lines].map((l) => [l.currency, l.balanceAfter])).toEqual([
      ["SC", 1_563_750],
      ["GC", 1_562_500],
      ["SC", 1_563_750 - 2500],
      ["GC", 1_562_500 - 2499],
      ["SC", 1_563_750 - 2500 - 2498],
      ["GC", 1_562_500 - 2499 - 2497],
    ]);
  });
});
