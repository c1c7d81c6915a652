import type { EligibilityRules } from "@/lib/drops/model";
import type { EligibilityRule } from "./model";
import { type LoyaltyTier, tierRank } from "./model";

export type PlayerFacts = {
  emailVerifiedAt: Date | null;
  createdAt: Date;
  region: string | null;
  loyaltyTier: LoyaltyTier;
  flaggedAt: Date | null;
  suspendedAt: Date | null;
  adultDeclaredAt: Date | null;
};

/** Where a request stands: the regions no one may claim from and the request's country (GeoIP). */
export type Jurisdiction = {
  excludedRegions: ReadonlySet<string>;
  /** Unknown (no GeoIP configured, or an address it does not know) is not judged. */
  country?: string | null;
};

/**
 * The first rule the player does not meet, judged at `now` (database time): first the rules of
 * every claim and lottery entry (account standing, profile, jurisdiction), then the drop's own.
 */
export function failedRule(
  rules: EligibilityRules,
  player: PlayerFacts,
  now: Date,
  jurisdiction: Jurisdiction,
): EligibilityRule | undefined {
  if (player.suspendedAt) return "suspended";
  if (!player.emailVerifiedAt) return "verified_email";
  if (!player.region || !player.adultDeclaredAt) return "profile_incomplete";
  const region = player.region.toUpperCase();
  if (jurisdiction.excludedRegions.has(region)) return "region";
  const country = jurisdiction.country?.toUpperCase();
  if (country && (country !== region || jurisdiction.excludedRegions.has(country))) {
    return "location";
  }

  if (rules.minAccountAgeDays !== undefined) {
    const ageDays = (now.getTime() - player.createdAt.getTime()) / 86_400_000;
    if (ageDays < rules.minAccountAgeDays) return "account_age";
  }
  if (rules.minTier && tierRank[player.loyaltyTier] < tierRank[rules.minTier]) return "tier";
  if (rules.regions && rules.regions.length > 0 && !rules.regions.includes(region)) {
    return "region";
  }
  if (rules.notFlagged && player.flaggedAt) return "flagged";
  return undefined;
}
