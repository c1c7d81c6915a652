import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { lockPlayerAccounts, type NewWalletTransaction, postTransactions } from "./journal";
import { formatCoins, parseCoins, playthroughOfWager } from "./model";
import { getBalances } from "./wallet";

const db = connectTestDb(4);

/** The database's own message (drizzle wraps it in "Failed query: …"). */
async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : String(error);
  }
  throw new Error("expected the database to refuse");
}

function grant(userId: string, amount: number, key = crypto.randomUUID()): NewWalletTransaction {
  return {
    kind: "grant",
    idempotencyKey: `test:${key}`,
    userId,
    reason: "test",
    postings: [
      { account: { player: userId, currency: "SC" }, amount, playthrough: amount },
      { account: { system: "promotions", currency: "SC" }, amount: -amount },
    ],
  };
}

describe("coin amounts", () => {
  it("parses two-place decimals exactly and refuses anything else", () => {
    expect(parseCoins("12.50")).toBe(1250);
    expect(parseCoins("12.5")).toBe(1250);
    expect(parseCoins("0.01")).toBe(1);
    expect(parseCoins("7")).toBe(700);
    for (const bad of ["", "-1", "1.001", "1e3", " 1", "01", "1.", ".5", "NaN", "0x10", "1,00"]) {
      expect(parseCoins(bad), bad).toBeNull();
    }
    expect(parseCoins("9999999999999999")).toBeNull();
  });
  it("formats minor units with two places", () => {
    expect(formatCoins(0)).toBe("0.00");
    expect(formatCoins(1250)).toBe("12.50");
    expect(formatCoins(-5)).toBe("-0.05");
    expect(formatCoins(10n ** 17n)).toBe("1000000000000000.00");
  });
  it("a wager plays through at most its stake", () => {
    expect(playthroughOfWager(500, 100)).toBe(-100);
    expect(playthroughOfWager(50, 100)).toBe(-50);
    expect(playthroughOfWager(0, 100)).toBe(-0);
  });
});

describe("the journal", () => {
  it("moves coins once per idempotency key, and tracks what is redeemable", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    const txn = grant(player, 1000);
    const first = await db.transaction((tx) => postTransactions(tx, [txn]));
    const again = await db.transaction((tx) => postTransactions(tx, [txn]));
    expect(first.size).toBe(1);
    expect(again.size).toBe(0);
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 1000, redeemableSC: 0 });
  });

  it("the database refuses postings that do not sum to zero", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    const account = await db.transaction(async (tx) =>
      (await lockPlayerAccounts(tx, [player], "SC")).get(player),
    );
    const txnId = crypto.randomUUID();
    expect(
      await refusal(
        db.transaction(async (tx) => {
          await tx.execute(
            sql`insert into wallet_transactions (id, kind, idempotency_key) values (${txnId}, 'grant', ${`raw:${txnId}`})`,
          );
          await tx.execute(
            sql`insert into wallet_postings (transaction_id, account_id, currency, amount) values (${txnId}, ${account?.id}, 'SC', 100)`,
          );
        }),
      ),
    ).toMatch(/does not balance/);
  });

  it("the database keeps a player balance at zero or more, whatever the code does", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    await db.transaction((tx) => postTransactions(tx, [grant(player, 100)]));
    const overdraw: NewWalletTransaction = {
      kind: "grant",
      idempotencyKey: `test:${crypto.randomUUID()}`,
      userId: player,
      postings: [
        { account: { player, currency: "SC" }, amount: -101 },
        { account: { system: "promotions", currency: "SC" }, amount: 101 },
      ],
    };
    expect(await refusal(db.transaction((tx) => postTransactions(tx, [overdraw])))).toMatch(
      /wallet_accounts_player_nonnegative/,
    );
    expect((await getBalances(db, player)).SC).toBe(100);
  });

  it("balances move only through postings, and postings never change", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    await db.transaction((tx) => postTransactions(tx, [grant(player, 100)]));
    expect(
      await refusal(
        db.execute(sql`update wallet_accounts set balance = balance + 1 where user_id = ${player}`),
      ),
    ).toMatch(/only through postings/);
    expect(
      await refusal(
        db.execute(
          sql`update wallet_postings set amount = amount + 1 where account_id in (select id from wallet_accounts where user_id = ${player})`,
        ),
      ),
    ).toMatch(/append-only/);
    expect(
      await refusal(
        db.execute(
          sql`insert into wallet_accounts (kind, currency, user_id, balance) values ('player', 'GC', ${player}, 5)`,
        ),
      ),
    ).toMatch(/zero balance/);
  });

  it("balances equal the sum of their postings", async () => {
    const players = await createPlayers(db, 3);
    await db.transaction((tx) =>
      postTransactions(
        tx,
        players.map((p, i) => grant(p, 100 * (i + 1))),
      ),
    );
    const rows = await db.execute<{ n: string }>(sql`
      select count(*) as n from wallet_accounts a
      where a.user_id = any(${sql.param(players)}::uuid[])
        and a.balance <> (select coalesce(sum(amount), 0) from wallet_postings p where p.account_id = a.id)`);
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
