import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { diceMultiplier, diceRoll, playDice } from "./dice";
import { diceRtp, games, scratchRtp } from "./games";
import type { GameId } from "./model";
import { replayRound } from "./replay-round";
import { hashServerSeed, roundFloats, roundIntegers } from "./rng";
import { roundDigest } from "./round-record";
import { SCRATCH_WEIGHT_TOTAL, scratchPaytable, scratchTier } from "./scratch";

const SEED = "3f".repeat(32);

/** The issue's formula, with Node's own HMAC: an independent reading of the definition. */
function issueFloat(serverSeed: string, clientSeed: string, nonce: number, index: number): number {
  const cursor = Math.floor(index / 8);
  const b = createHmac("sha256", serverSeed).update(`${clientSeed}:${nonce}:${cursor}`).digest();
  const at = (index % 8) * 4;
  return (
    (b[at] ?? 0) / 256 +
    (b[at + 1] ?? 0) / 256 ** 2 +
    (b[at + 2] ?? 0) / 256 ** 3 +
    (b[at + 3] ?? 0) / 256 ** 4
  );
}

describe("the random source", () => {
  it("is HMAC-SHA256 of clientSeed:nonce:cursor keyed by the seed text, 4 bytes a float", () => {
    const floats = roundFloats(SEED, "my-client-seed", 7, 20);
    for (const [i, f] of floats.entries()) expect(f).toBe(issueFloat(SEED, "my-client-seed", 7, i));
  });
  it("commits to a seed with the SHA-256 of its hex text", () => {
    expect(hashServerSeed("00".repeat(32))).toBe(
      "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55",
    );
  });
});

describe("dice", () => {
  it("rolls floor(f·10001)/100 and pays 99/target to 4 decimals, rounded down", () => {
    expect(diceRoll(0)).toBe(0);
    expect(diceRoll(2 ** 32 - 1)).toBe(10000);
    expect(diceMultiplier(5000)).toBe(19800);
    expect(diceMultiplier(700)).toBe(141428);
    expect(diceMultiplier(9800)).toBe(10102);
    // f just below 0.5: roll 50.00 is not < 50, a loss; one step lower wins.
    const half = 2 ** 31;
    expect(playDice(half, 100, { target: 50 }).outcome).toEqual({
      roll: 50,
      target: 50,
      win: false,
      multiplier: "1.9800",
    });
    const win = playDice(Math.ceil((4999 * 2 ** 32) / 10001), 333, { target: 50 });
    expect(win).toEqual({
      payout: 659, // 3.33 × 1.98 = 6.5934, rounded down
      outcome: { roll: 49.99, target: 50, win: true, multiplier: "1.9800" },
    });
  });
  it("matches the issue's formula on real seeds", () => {
    for (let nonce = 0; nonce < 200; nonce++) {
      const f = issueFloat(SEED, "c", nonce, 0);
      const [u] = roundIntegers(SEED, "c", nonce, 1);
      const { outcome } = playDice(u ?? 0, 100, { target: 33.33 });
      expect(outcome.roll).toBe(Math.floor(f * 10001) / 100);
      expect(outcome.win).toBe(Math.floor(f * 10001) / 100 < 33.33);
    }
  });
  it("refuses targets outside 2…98 or with three decimals", () => {
    for (const target of [1.99, 98.01, 50.001, Number.NaN, "50"]) {
      expect(games.dice.params.safeParse({ target }).success, String(target)).toBe(false);
    }
    expect(games.dice.params.safeParse({ target: 49.5 }).success).toBe(true);
  });
});

describe("the scratch card", () => {
  it("publishes a paytable returning 95% in coins", () => {
    expect(scratchRtp()).toBeCloseTo(0.95, 12);
    expect(scratchPaytable.reduce((s, t) => s + t.weight, 0)).toBeLessThan(SCRATCH_WEIGHT_TOTAL);
    expect(scratchTier(0)?.id).toBe("prize");
    expect(scratchTier(2 ** 32 - 1)).toBeUndefined();
  });
});

/**
 * 10^6 rounds of each game from fixed seeds (deterministic), the mean return within 5 standard
 * errors of the paytable's RTP, the standard error taken from the paytable's own variance.
 */
describe("return to player over 10^6 rounds", () => {
  const ROUNDS = 1_000_000;
  function simulate(game: GameId, stake: number, params: Record<string, unknown>): number {
    let paid = 0;
    for (let nonce = 0; nonce < ROUNDS; nonce++) {
      // A new seed every 10,000 rounds, as players rotate: still fixed, so the test is stable.
      const seed = hashServerSeed(`rtp-sim-${game}-${Math.floor(nonce / 10_000)}`);
      const u32s = roundIntegers(seed, "rtp", nonce, games[game].floats);
      paid += games[game].play(u32s, stake, params).payout;
    }
    return paid / (stake * ROUNDS);
  }

  it("dice at target 50 returns 98.99%", () => {
    const p = 5000 / 10_001;
    const m = 1.98;
    const rtp = diceRtp(5000);
    const tolerance = 5 * Math.sqrt((p * (1 - p) * m * m) / ROUNDS);
    expect(tolerance).toBeLessThan(0.005);
    expect(Math.abs(simulate("dice", 100, { target: 50 }) - rtp)).toBeLessThan(tolerance);
  }, 120_000);

  it("the scratch card returns 95%", () => {
    const secondMoment =
      scratchPaytable.reduce((s, t) => s + t.weight * t.multiplier ** 2, 0) / SCRATCH_WEIGHT_TOTAL;
    const rtp = scratchRtp();
    const tolerance = 5 * Math.sqrt((secondMoment - rtp * rtp) / ROUNDS);
    expect(tolerance).toBeLessThan(0.03);
    expect(Math.abs(simulate("scratch", 100, {}) - rtp)).toBeLessThan(tolerance);
  }, 120_000);
});

describe("replaying a round", () => {
  it("checks the seed, the outcome, the payout and the leaf digest", () => {
    const [u] = roundIntegers(SEED, "c", 3, 1);
    const { payout, outcome } = playDice(u ?? 0, 100, { target: 60 });
    const record = {
      id: "6f1c1c1e-8a39-4d3c-9f53-2f9d6f0b7a11",
      game: "dice" as const,
      currency: "GC" as const,
      stake: "1.00",
      payout: (payout / 100).toFixed(2),
      params: { target: 60 },
      outcome,
      serverSeedHash: hashServerSeed(SEED),
      clientSeed: "c",
      nonce: 3,
      prizeId: null,
    };
    const digest = Buffer.from(roundDigest(record)).toString("hex");
    expect(replayRound(record, SEED, digest).ok).toBe(true);
    const forged = replayRound({ ...record, nonce: 4 }, SEED, digest);
    expect(forged.ok).toBe(false);
    expect(forged.checks.find((c) => c.id === "digest")?.ok).toBe(false);
    expect(replayRound(record, "00".repeat(32)).checks[0]?.ok).toBe(false);
  });
});
