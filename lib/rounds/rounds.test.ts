import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { prizes } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import {
  getFairness,
  getPublicSeed,
  openSeed,
  rotateSeed,
  setClientSeed,
} from "@/lib/fairness/seeds";
import { roundIntegers } from "@/lib/games/rng";
import { scratchTier } from "@/lib/games/scratch";
import { verifyRound } from "@/lib/games/verify-round";
import { getBalances } from "@/lib/wallet/wallet";
import { connectTestDb, createPlayers } from "@/test/db";
import { grantTestCoins } from "@/test/wallet";
import { playRound } from "./play-round";
import { getRound, listRounds } from "./round-views";

const db = connectTestDb(12);

const fund = grantTestCoins;

async function refusalOf(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

const dice = (stake = "1.00", target = 50) => ({
  game: "dice",
  currency: "GC",
  stake,
  params: { target },
});

describe("playing a round", () => {
  it("debits the stake, credits the payout, and answers the same round for the same key", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    await fund(db, player, "GC", 10_000);
    const fairness = await getFairness(db, player);
    const first = await playRound(db, { playerId: player, body: dice(), idempotencyKey: "k1" });
    expect(first.replayed).toBe(false);
    expect(first.round).toMatchObject({
      game: "dice",
      currency: "GC",
      stake: "1.00",
      serverSeedHash: fairness.serverSeedHash,
      clientSeed: fairness.clientSeed,
      nonce: 0,
    });
    const payout = Math.round(Number(first.round.payout) * 100);
    expect(first.round.balanceAfter).toBe(((10_000 - 100 + payout) / 100).toFixed(2));
    expect((await getBalances(db, player)).GC).toBe(10_000 - 100 + payout);

    const again = await playRound(db, { playerId: player, body: dice(), idempotencyKey: "k1" });
    expect(again).toEqual({ round: first.round, replayed: true });
    expect((await getBalances(db, player)).GC).toBe(10_000 - 100 + payout);
    const other = await refusalOf(
      playRound(db, { playerId: player, body: dice("2.00"), idempotencyKey: "k1" }),
    );
    expect(other.code).toBe("idempotency_mismatch");

    const second = await playRound(db, { playerId: player, body: dice(), idempotencyKey: "k2" });
    expect(second.round.nonce).toBe(1);
    expect((await getFairness(db, player)).nonce).toBe(2);
  });

  it("refuses bad input, SC in an excluded region, excluded players and limits", async () => {
    const [player, nowhere] = await createPlayers(db, 2);
    if (!player || !nowhere) throw new Error("no player");
    await db.execute(sql`update users set region = null where id = ${nowhere}`);
    await fund(db, player, "GC", 1_000);
    await fund(db, player, "SC", 1_000);
    await fund(db, nowhere, "SC", 1_000);
    for (const body of [
      dice("0.00"),
      dice("-1.00"),
      dice("1.001"),
      dice("1.00", 99),
      { ...dice(), game: "roulette" },
      { ...dice(), currency: "XX" },
      { game: "scratch", currency: "GC", stake: "1.00", params: { extra: 1 } },
    ]) {
      expect((await refusalOf(playRound(db, { playerId: player, body }))).code).toBe(
        "invalid_input",
      );
    }
    expect((await refusalOf(playRound(db, { playerId: player, body: dice("10.01") }))).code).toBe(
      "insufficient_funds",
    );

    const sc = { ...dice(), currency: "SC" };
    expect((await refusalOf(playRound(db, { playerId: nowhere, body: sc }))).details).toEqual({
      reason: "not_eligible:region",
    });
    await db.execute(sql`insert into excluded_regions (code, sweeps_only) values ('US', true)
                         on conflict (code) do nothing`);
    try {
      const refused = await refusalOf(playRound(db, { playerId: player, body: sc }));
      expect(refused.code).toBe("not_eligible");
      // GC play is not region-blocked.
      await playRound(db, { playerId: player, body: dice() });
    } finally {
      await db.execute(sql`delete from excluded_regions where code = 'US'`);
    }

    await db.execute(sql`insert into rg_limits (user_id, kind, period, amount)
                         values (${player}, 'wager_sc', 'day', 150)`);
    await playRound(db, { playerId: player, body: sc });
    const limited = await refusalOf(playRound(db, { playerId: player, body: sc }));
    expect(limited.code).toBe("limit_reached");
    await playRound(db, { playerId: player, body: { ...sc, stake: "0.50" } });

    await db.execute(sql`insert into rg_exclusions (user_id, kind, ends_at)
                         values (${player}, 'cool_off', now() + interval '1 day')`);
    const excluded = await refusalOf(playRound(db, { playerId: player, body: dice() }));
    expect(excluded.code).toBe("self_excluded");
    expect(excluded.message).toMatch(/cool-off until/);
  });

  it("commits each seed in the ledger before its rounds, and replays a round once revealed", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    await fund(db, player, "GC", 1_000);
    await setClientSeed(db, player, "my-lucky-seed");
    const { round } = await playRound(db, {
      playerId: player,
      body: { ...dice(), game: "scratch", params: {} },
    });
    expect(round.clientSeed).toBe("my-lucky-seed");
    const before = await getRound(db, player, round.id);
    expect(before?.serverSeed).toBeNull();

    const rotation = await rotateSeed(db, player);
    expect(rotation.revealed.serverSeedHash).toBe(round.serverSeedHash);
    expect(await getFairness(db, player)).toMatchObject({
      serverSeedHash: rotation.current.serverSeedHash,
      nonce: 0,
    });
    const detail = await getRound(db, player, round.id);
    expect(detail?.serverSeed).toBe(rotation.revealed.serverSeed);
    if (!detail?.serverSeed) throw new Error("no seed");
    const evidence = {
      record: detail.record,
      serverSeed: detail.serverSeed,
      roundLeaf: detail.leaf,
      seedLeaf: detail.seedLeaf,
    };
    expect(verifyRound(evidence)).toMatchObject({ ok: true });
    // Anyone sees the seed's commitment leaf and, now, the seed.
    const seed = await getPublicSeed(db, detail.seedId);
    expect(seed).toMatchObject({
      serverSeed: rotation.revealed.serverSeed,
      status: "revealed",
      rounds: 1,
      leaf: detail.seedLeaf,
    });
    // A record changed after the fact no longer matches its leaf.
    const forged = verifyRound({
      ...evidence,
      record: { ...detail.record, payout: "500.00" },
    });
    expect(forged.ok).toBe(false);
    expect(forged.checks.filter((c) => !c.ok).map((c) => c.id)).toContain("digest");
    // Nor does another seed's commitment.
    const [other] = await createPlayers(db, 1);
    const otherSeed = await getFairness(db, other ?? "");
    expect(otherSeed.serverSeedHash).not.toBe(round.serverSeedHash);

    const entries = await db.execute<{ kind: string; fair_seed_id: string | null }>(sql`
      select l.kind, l.fair_seed_id from ledger_entries l
      left join fair_seeds f on f.id = l.fair_seed_id
      where f.user_id = ${player} or l.round_id = ${round.id} order by l.id`);
    // active and next first, then the round, then the new next seed of the rotation.
    expect(entries.map((e) => e.kind)).toEqual([
      "seed_commitment",
      "seed_commitment",
      "round",
      "seed_commitment",
    ]);
    expect(await getRound(db, crypto.randomUUID(), round.id)).toBeUndefined();
    expect((await listRounds(db, player, { limit: 10 })).rounds.map((r) => r.id)).toEqual([
      round.id,
    ]);
  });
});

describe("the scratch card's prize tier", () => {
  /** A client seed under which the player's active seed plays the prize tier at `nonce`. */
  async function prizeClientSeed(player: string, nonce: number): Promise<string> {
    const [row] = await db.execute<{ server_seed: string }>(sql`
      select server_seed from fair_seeds where user_id = ${player} and status = 'active'`);
    const serverSeed = openSeed(row?.server_seed ?? "");
    for (let i = 0; ; i++) {
      const [u] = roundIntegers(serverSeed, `prize-${i}`, nonce, 1);
      if (scratchTier(u ?? 0)?.prize) return `prize-${i}`;
    }
  }

  it("awards the instant-win catalog item while it has stock, then the tier's coin value", async () => {
    // Ready to receive it (identity declared, email verified): lib/catalog/instant-win.test.ts
    // covers the prizes held for them.
    const [player] = await createPlayers(db, 1, { identityDeclaredAt: new Date() });
    if (!player) throw new Error("no player");
    await fund(db, player, "SC", 1_000);
    await getFairness(db, player);
    const [prize] = await db
      .insert(prizes)
      .values({ name: "Instant prize", kind: "crypto", valueCents: 2_500, quantity: 1 })
      .returning({ id: prizes.id });
    if (!prize) throw new Error("no prize");
    const [item] = await db.execute<{ id: string }>(sql`
      insert into catalog_items (prize_id, price_sc, stock, instant_win)
      values (${prize.id}, 5000, 1, true) returning id`);
    const card = { game: "scratch", currency: "SC", stake: "1.00", params: {} };
    try {
      await setClientSeed(db, player, await prizeClientSeed(player, 0));
      const won = await playRound(db, { playerId: player, body: card, idempotencyKey: "p1" });
      expect(won.round).toMatchObject({
        outcome: { tier: "prize", prizeTier: true },
        payout: "0.00",
        prizeId: prize.id,
        balanceAfter: "9.00",
      });
      expect(won.round.redemption?.code).toMatch(/\S/);
      expect(won.receipt?.status).toBe("pending");
      const [redemption] = await db.execute<{ round_id: string; status: string }>(sql`
        select round_id, status from redemptions where id = ${won.round.redemption?.id ?? ""}`);
      expect(redemption).toEqual({ round_id: won.round.id, status: "fulfilled" });
      // A replay answers the same prize and code.
      const again = await playRound(db, { playerId: player, body: card, idempotencyKey: "p1" });
      expect(again.round).toEqual(won.round);

      // The item's only unit is gone: the next prize tier pays 500 × the stake in coins.
      await setClientSeed(db, player, await prizeClientSeed(player, 1));
      const coins = await playRound(db, { playerId: player, body: card, idempotencyKey: "p2" });
      expect(coins.round).toMatchObject({ payout: "500.00", prizeId: null, redemption: null });
      expect((await getBalances(db, player)).SC).toBe(1_000 - 200 + 50_000);
      // Gold Coins never win a prize: the tier pays its coin value.
      await db.execute(sql`update catalog_items set stock = 1 where id = ${item?.id}`);
      await fund(db, player, "GC", 1_000);
      await setClientSeed(db, player, await prizeClientSeed(player, 2));
      const play = await playRound(db, {
        playerId: player,
        body: { ...card, currency: "GC" },
        idempotencyKey: "p3",
      });
      expect(play.round).toMatchObject({ payout: "500.00", prizeId: null });
    } finally {
      await db.execute(sql`update catalog_items set instant_win = false where id = ${item?.id}`);
    }
  });
});

describe("100 concurrent rounds against a balance for 10", () => {
  it("never overdraws, settles exactly, refuses with insufficient_funds, and replays move nothing", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    const start = 1_000;
    await fund(db, player, "SC", start);
    const keys = Array.from({ length: 100 }, (_, i) => `proof-${i}`);
    const body = { game: "dice", currency: "SC", stake: "1.00", params: { target: 50 } };
    const play = () =>
      Promise.allSettled(
        keys.map((idempotencyKey) => playRound(db, { playerId: player, body, idempotencyKey })),
      );
    const results = await play();

    const accepted = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.round] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(accepted.length + refused.length).toBe(100);
    expect(accepted.length).toBeGreaterThanOrEqual(10);
    expect(new Set(refused.map((e) => (e as AppError).code))).toEqual(
      refused.length > 0 ? new Set(["insufficient_funds"]) : new Set(),
    );
    const minor = (s: string) => Math.round(Number(s) * 100);
    const payouts = accepted.reduce((sum, r) => sum + minor(r.payout), 0);
    const expected = start - 100 * accepted.length + payouts;
    expect((await getBalances(db, player)).SC).toBe(expected);

    // In play order (the nonce), the balance before each stake covered it.
    let balance = start;
    for (const r of accepted.toSorted((a, b) => a.nonce - b.nonce)) {
      expect(balance).toBeGreaterThanOrEqual(100);
      balance += minor(r.payout) - 100;
      expect(minor(r.balanceAfter)).toBe(balance);
    }
    expect(accepted.map((r) => r.nonce).toSorted((a, b) => a - b)).toEqual(
      accepted.map((_, i) => i),
    );

    const replays = await play();
    expect((await getBalances(db, player)).SC).toBe(expected);
    for (const [i, r] of replays.entries()) {
      const first = results[i];
      if (first?.status === "fulfilled") {
        expect(r.status === "fulfilled" && r.value).toEqual({
          round: first.value.round,
          replayed: true,
        });
      } else {
        expect(r.status === "rejected" && (r.reason as AppError).code).toBe("insufficient_funds");
      }
    }
    const [journal] = await db.execute<{ n: number; total: string }>(sql`
      select count(*)::int as n, coalesce(sum(p.amount), 0) as total
      from wallet_transactions t join wallet_postings p on p.transaction_id = t.id
      where t.kind = 'round' and t.user_id = ${player}`);
    expect(Number(journal?.total)).toBe(0);
  });
});
