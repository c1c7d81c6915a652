/** Claims as the browser may see them: loyalty tiers, refusal reasons and their words, the answer. */
import type { ErrorCode } from "@/lib/errors/app-error";
import type { RedemptionStatus } from "@/lib/redemptions/model";

/** Loyalty tiers, lowest first: a rule or pool for a tier admits that tier and every higher one. */
export const loyaltyTiers = ["bronze", "silver", "gold"] as const;
export type LoyaltyTier = (typeof loyaltyTiers)[number];

/** A drop's or pool's minimum tier, as the admin picks it: each tier admits those above it. */
export const minTierLabels: Record<LoyaltyTier, string> = {
  bronze: "Every tier",
  silver: "Silver and up",
  gold: "Gold only",
};
export const tierRank: Record<LoyaltyTier, number> = { bronze: 0, silver: 1, gold: 2 };

export const eligibilityRules = [
  "suspended",
  "verified_email",
  "profile_incomplete",
  "location",
  "linked_account",
  "account_age",
  "tier",
  "region",
  "flagged",
] as const;
export type EligibilityRule = (typeof eligibilityRules)[number];

/** Every reason a claim can be refused: stable codes for the API, the audit trail and the page. */
export type RefusalReason =
  | "not_found"
  | "not_started"
  | "ended"
  | "paused"
  | "sold_out"
  | "limit_reached"
  | "lottery"
  | "rate_limited"
  | "admission_required"
  | "admission_expired"
  | `not_eligible:${EligibilityRule}`;

const messages: Record<Exclude<RefusalReason, `not_eligible:${string}`>, string> = {
  not_found: "This drop does not exist",
  not_started: "This drop has not started yet",
  ended: "This drop has ended",
  paused: "This drop is paused for now; try again when it resumes",
  sold_out: "Sold out: every unit of this drop has been claimed",
  limit_reached: "You have already claimed a unit of this drop",
  lottery: "This drop is a lottery: enter it instead of claiming",
  rate_limited: "Too many claims in a short time: wait a few seconds and try again",
  admission_required:
    "This drop has a waiting room: join it, and claim when your turn comes with the admission it gives you",
  admission_expired:
    "Your admission to this drop has expired: join the waiting room again to queue for another turn",
};

const eligibilityMessages: Record<EligibilityRule, string> = {
  suspended: "your account is suspended",
  verified_email: "verify your email address first",
  profile_incomplete: "declare your region and that you are 18 or older on your account page first",
  location:
    "your connection comes from another country than the region you declared, or from one where drops are not open",
  linked_account:
    "an account linked to yours has already claimed this drop (one claim per linked account group)",
  account_age: "your account is too new for this drop",
  tier: "this drop is for higher loyalty tiers",
  region: "this drop is not open in your region",
  flagged: "your account is under review",
};

export function refusalMessage(reason: RefusalReason, limit = 1): string {
  if (reason.startsWith("not_eligible:")) {
    const rule = reason.slice("not_eligible:".length) as EligibilityRule;
    return `You are not eligible for this drop: ${eligibilityMessages[rule]}`;
  }
  if (reason === "limit_reached" && limit > 1) {
    return `You have already claimed the most units allowed per player (${limit})`;
  }
  return messages[reason as keyof typeof messages];
}

/** The API error code of a refusal (`not_eligible` carries its rule in the body). */
export function refusalErrorCode(reason: RefusalReason): ErrorCode {
  if (reason.startsWith("not_eligible:")) return "not_eligible";
  if (reason === "lottery") return "bad_request";
  return reason as ErrorCode;
}

export type ClaimedRedemption = {
  id: string;
  dropId: string;
  prizeId: string;
  unitId: number;
  claimedAt: string;
  status: Extract<RedemptionStatus, "fulfilled" | "awaiting_action">;
  actionDeadline: string | null;
  receipt: {
    version: 1;
    status: "pending";
    leaf: { index: null; data: string; salt: string; playerId: string };
  };
};

/** A claim refused because the player holds the drop's limit: their newest redemption of it. */
export type HeldClaim = { redemptionId: string };
