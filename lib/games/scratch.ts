/**
 * A scratch card with a published paytable (docs/games.md): the round's first float picks a
 * tier, u = ⌊f·10^6⌋ against cumulative weights out of 1,000,000. Coin tiers pay stake × their
 * multiplier. The rare prize tier is decided by the float alone; it awards the prize the
 * operator offers at that moment (recorded in the round), or its stated coin value when none is.
 */
import { z } from "zod";
import { FLOAT_SCALE } from "./rng";

export const SCRATCH_WEIGHT_TOTAL = 1_000_000;

export type ScratchTier = {
  id: string;
  /** Out of SCRATCH_WEIGHT_TOTAL. */
  weight: number;
  /** Whole multiples of the stake paid in coins (the prize tier's coin value when no prize). */
  multiplier: number;
  prize?: true;
};

/** Highest first; what is left of the million loses. RTP in coins 95% (prize tier at 500×). */
export const scratchPaytable: readonly ScratchTier[] = [
  { id: "prize", weight: 10, multiplier: 500, prize: true },
  { id: "500x", weight: 50, multiplier: 500 },
  { id: "100x", weight: 400, multiplier: 100 },
  { id: "50x", weight: 1_000, multiplier: 50 },
  { id: "20x", weight: 4_000, multiplier: 20 },
  { id: "10x", weight: 10_000, multiplier: 10 },
  { id: "5x", weight: 30_000, multiplier: 5 },
  { id: "3x", weight: 50_000, multiplier: 3 },
  { id: "2x", weight: 100_000, multiplier: 2 },
  { id: "1x", weight: 150_000, multiplier: 1 },
];

export const scratchParams = z.object({}).strict();

export type ScratchOutcome = {
  /** The tier's id, or "lose". */
  tier: string;
  multiplier: number;
  /** The prize tier came up: the engine awards a prize if one is offered, else its coin value. */
  prizeTier: boolean;
};

export function scratchTier(u32: number): ScratchTier | undefined {
  const u = Math.floor((u32 * SCRATCH_WEIGHT_TOTAL) / FLOAT_SCALE);
  let floor = 0;
  for (const tier of scratchPaytable) {
    floor += tier.weight;
    if (u < floor) return tier;
  }
  return undefined;
}

/** The coin payout of a card; a prize-tier card pays its coin value here, the engine may swap it. */
export function playScratch(
  u32: number,
  stake: number,
): { payout: number; outcome: ScratchOutcome } {
  const tier = scratchTier(u32);
  if (!tier) return { payout: 0, outcome: { tier: "lose", multiplier: 0, prizeTier: false } };
  return {
    payout: stake * tier.multiplier,
    outcome: { tier: tier.id, multiplier: tier.multiplier, prizeTier: tier.prize === true },
  };
}
