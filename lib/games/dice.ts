/**
 * Dice as the industry defines it: roll = ⌊f·10001⌋ / 100 from the round's first float, a win
 * when roll < target, multiplier 99/target rounded down to 4 decimals, payout stake × multiplier
 * rounded down to 0.01. All in integers: hundredths for roll and target, 1/10000 for the
 * multiplier, minor units for coins.
 */
import { z } from "zod";
import { FLOAT_SCALE } from "./rng";

export const DICE_MIN_TARGET = 2;
export const DICE_MAX_TARGET = 98;

/** A target from 2 to 98 with at most two decimals, kept as hundredths (200…9800). */
export const diceParams = z.object({
  target: z
    .number({ error: "target is a number from 2 to 98" })
    .min(DICE_MIN_TARGET, "target is at least 2")
    .max(DICE_MAX_TARGET, "target is at most 98")
    .refine(
      (t) =>
        Number.isInteger(Math.round(t * 100)) && Math.abs(t * 100 - Math.round(t * 100)) < 1e-6,
      {
        message: "target has at most two decimals",
      },
    ),
});
export type DiceParams = z.infer<typeof diceParams>;

export type DiceOutcome = { roll: number; target: number; win: boolean; multiplier: string };

/** 99/target rounded down to 4 decimals, in 1/10000. */
export function diceMultiplier(targetHundredths: number): number {
  return Math.floor((990_000 * 100) / targetHundredths);
}

/** ⌊f·10001⌋ in hundredths (0…10000): exact, as u32·10001 < 2^53. */
export function diceRoll(u32: number): number {
  return Math.floor((u32 * 10001) / FLOAT_SCALE);
}

export function playDice(
  u32: number,
  stake: number,
  params: DiceParams,
): { payout: number; outcome: DiceOutcome } {
  const target = Math.round(params.target * 100);
  const roll = diceRoll(u32);
  const multiplier = diceMultiplier(target);
  const win = roll < target;
  const payout = win ? Number((BigInt(stake) * BigInt(multiplier)) / 10_000n) : 0;
  return {
    payout,
    outcome: {
      roll: roll / 100,
      target: target / 100,
      win,
      multiplier: formatMultiplier(multiplier),
    },
  };
}

/** 19800 → "1.9800". */
export function formatMultiplier(tenThousandths: number): string {
  return `${Math.floor(tenThousandths / 10_000)}.${String(tenThousandths % 10_000).padStart(4, "0")}`;
}
