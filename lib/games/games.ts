/**
 * The games' registry: how each reads its params and plays a round from the round's random
 * integers, and what GET /api/v1/games publishes (rules, paytable, RTP). Browser-safe.
 */
import type { z } from "zod";
import {
  DICE_MAX_TARGET,
  DICE_MIN_TARGET,
  diceMultiplier,
  diceParams,
  formatMultiplier,
  playDice,
} from "./dice";
import type { GameId } from "./model";
import { playScratch, SCRATCH_WEIGHT_TOTAL, scratchParams, scratchPaytable } from "./scratch";

export type PlayedRound = {
  /** Minor units, before a prize tier is swapped for a prize. */
  payout: number;
  outcome: Record<string, unknown>;
  /** The scratch card's prize tier came up. */
  prizeTier: boolean;
};

export type GameDefinition = {
  id: GameId;
  name: string;
  params: z.ZodType<Record<string, unknown>>;
  /** How many random integers (floats) a round uses. */
  floats: number;
  play(u32s: readonly number[], stake: number, params: Record<string, unknown>): PlayedRound;
};

export const games: Record<GameId, GameDefinition> = {
  dice: {
    id: "dice",
    name: "Dice",
    params: diceParams,
    floats: 1,
    play: (u32s, stake, params) => ({
      ...playDice(u32s[0] ?? 0, stake, diceParams.parse(params)),
      prizeTier: false,
    }),
  },
  scratch: {
    id: "scratch",
    name: "Scratch card",
    params: scratchParams,
    floats: 1,
    play: (u32s, stake) => {
      const { payout, outcome } = playScratch(u32s[0] ?? 0, stake);
      return { payout, outcome, prizeTier: outcome.prizeTier };
    },
  },
};

/** Dice's return to player at a target (in hundredths), before payouts round down to 0.01. */
export function diceRtp(targetHundredths: number): number {
  return (targetHundredths / 10_001) * (diceMultiplier(targetHundredths) / 10_000);
}

/** The scratch card's return to player in coins, the prize tier counted at its coin value. */
export function scratchRtp(): number {
  return (
    scratchPaytable.reduce((sum, tier) => sum + tier.weight * tier.multiplier, 0) /
    SCRATCH_WEIGHT_TOTAL
  );
}

/** A game as GET /api/v1/games publishes it. */
export type GameDescription = {
  id: GameId;
  name: string;
  params: Record<string, string>;
  rules: string;
  paytable: Record<string, string | number | boolean>[];
  rtp: number;
  rtpNote: string;
};

/** What GET /api/v1/games answers. */
export function describeGames(): GameDescription[] {
  return [
    {
      id: "dice",
      name: games.dice.name,
      params: {
        target: `a number from ${DICE_MIN_TARGET} to ${DICE_MAX_TARGET}, at most two decimals`,
      },
      rules:
        "roll = floor(f × 10001) / 100 from the round's first float (cursor 0); the round wins when roll < target; the multiplier is 99 / target rounded down to 4 decimals; the payout is stake × multiplier rounded down to 0.01, 0 on a loss.",
      paytable: [2, 10, 25, 50, 75, 98].map((target) => ({
        target,
        winChance: `${target * 100} in 10001`,
        multiplier: formatMultiplier(diceMultiplier(target * 100)),
      })),
      rtp: round4(diceRtp(5000)),
      rtpNote:
        "98.99% at every target (P(win) = target × 100 / 10001, times the multiplier), less the rounding of payouts down to 0.01.",
    },
    {
      id: "scratch",
      name: games.scratch.name,
      params: {},
      rules:
        "u = floor(f × 1,000,000) from the round's first float (cursor 0) picks the first tier of the paytable whose cumulative weight exceeds u; the round pays stake × the tier's multiplier, 0 past the last tier. The prize tier of a Sweeps Coins card awards the catalog prize the operator offers for instant wins at that moment (named in the round); on a Gold Coins card, or when none is offered, it pays its multiplier in coins.",
      paytable: scratchPaytable.map((tier) => ({
        tier: tier.id,
        chance: `${tier.weight} in ${SCRATCH_WEIGHT_TOTAL}`,
        multiplier: tier.multiplier,
        prize: tier.prize === true,
      })),
      rtp: round4(scratchRtp()),
      rtpNote:
        "95% in coins, the prize tier counted at its coin value (500× the stake); a prize awarded instead is worth what the catalog says.",
    },
  ];
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
