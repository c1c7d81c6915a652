import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { auditWallet } from "./audit-wallet";
import { grantCoins } from "./free-coins";

const db = connectTestDb(4);

/** Writes past the journal's own triggers (and foreign keys), as a bug or an intruder might. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(statement);
  });
}

const rules = async () => (await auditWallet(db)).breaks.map((b) => `${b.rule}: ${b.count}`);

describe("npm run audit:wallet", () => {
  it("passes a sound journal and names every kind of break", async () => {
    const [admin = "", player = ""] = await createPlayers(db, 2);
    for (const [i, currency] of (["GC", "SC", "SC"] as const).entries()) {
      await grantCoins(db, {
        adminId: admin,
        userId: player,
        currency,
        amount: 1000,
        reason: "audit test",
        idempotencyKey: `k${i}`,
      });
    }
    const sound = await auditWallet(db);
    expect(sound.breaks).toEqual([]);
    expect(sound.transactions).toBe(3);
    expect(sound.postings).toBe(6);

    // A balance changed without a posting.
    await tamper(sql`update wallet_accounts set balance = balance + 1
      where kind = 'player' and user_id = ${player} and currency = 'GC'`);
    expect(await rules()).toEqual([
      "accounts whose balance or playthrough is not the sum of their postings: 1",
    ]);
    // An unbalanced posting, which also leaves its account off its postings' sum.
    await tamper(sql`insert into wallet_postings (transaction_id, account_id, currency, amount)
      select transaction_id, account_id, currency, 5 from wallet_postings
      where amount < 0 order by id limit 1`);
    expect(await rules()).toEqual([
      "transactions whose postings do not sum to zero in a currency: 1",
      "accounts whose balance or playthrough is not the sum of their postings: 2",
    ]);
    // A round with no transaction, and a round transaction with no round.
    await tamper(sql`insert into game_rounds (user_id, idempotency_key, request_hash, game,
        currency, stake, payout, params, outcome, seed_id, client_seed, nonce, balance_after)
      values (${player}, 'r1', '\\x00', 'dice', 'GC', 100, 0, '{}', '{}', gen_random_uuid(),
        'c', 0, 0)`);
    await tamper(sql`insert into wallet_transactions (kind, idempotency_key, user_id)
      values ('round', 'orphan', ${player})`);
    const audit = await auditWallet(db);
    expect(audit.breaks.map((b) => b.rule)).toEqual([
      "transactions whose postings do not sum to zero in a currency",
      "accounts whose balance or playthrough is not the sum of their postings",
      "rounds without their wallet transaction, or whose postings are not stake and payout",
      "round transactions without their round",
    ]);
    expect(audit.breaks[2]?.samples[0]).toMatch(/: no transaction$/);
  });
});
