/** Lotteries as the browser may see them: tier weights, a player's entry and win. */
import type { LoyaltyTier } from "@/lib/claims/model";

/** A player's chances scale with their loyalty tier at the moment they enter. */
export const tierWeights: Record<LoyaltyTier, number> = { bronze: 1, silver: 2, gold: 4 };

export type LotteryEntryView = {
  dropId: string;
  entrant: string;
  weight: number;
  enteredAt: string;
};

export type LotteryWin = { redemptionId: string; actionDeadline: string | null };
