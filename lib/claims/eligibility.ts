import type { EligibilityRules } from "@/db/schema";
import type { EligibilityRule } from "./refusals";

export const tierRank = { bronze: 0, silver: 1, gold: 2 } as const;
export type LoyaltyTier = keyof typeof tierRank;

export type PlayerFacts = {
  emailVerifiedAt: Date | null;
  createdAt: Date;
  region: string | null;
  loyaltyTier: LoyaltyTier;
  flaggedAt: Date | null;
};

/** The first rule of the drop that the player does not meet, judged at `now` (database time). */
export function failedRule(
  rules: EligibilityRules,
  player: PlayerFacts,
  now: Date,
): EligibilityRule | undefined {
  if (rules.verifiedEmail && !player.emailVerifiedAt) return "verified_email";
  if (rules.minAccountAgeDays !== undefined) {
    const ageDays = (now.getTime() - player.createdAt.getTime()) / 86_400_000;
    if (ageDays < rules.minAccountAgeDays) return "account_age";
  }
  if (rules.minTier && tierRank[player.loyaltyTier] < tierRank[rules.minTier]) return "tier";
  if (rules.regions && rules.regions.length > 0) {
    if (!player.region || !rules.regions.includes(player.region.toUpperCase())) return "region";
  }
  if (rules.notFlagged && player.flaggedAt) return "flagged";
  return undefined;
}
