/**
 * Claim answers in words for staff: the one mapping every admin page, report and export uses for
 * a claim's outcome or refusal reason (players are told theirs by `refusalMessage`, in lib/claims).
 * Safe in the browser.
 */
import type { EligibilityRule, RefusalReason } from "@/lib/claims/model";
import type { OutcomeCategory } from "./model";

type Labelled =
  | Exclude<RefusalReason, `not_eligible:${string}`>
  | OutcomeCategory
  // A lottery entry refused on a first-come drop.
  | "not_lottery";

const reasonLabels: Record<Labelled, string> = {
  claimed: "Claimed",
  not_found: "No such drop",
  not_started: "Not started yet",
  ended: "Drop had ended",
  paused: "Drop paused",
  sold_out: "Sold out",
  limit_reached: "Per-player limit reached",
  lottery: "Lottery drop: entries only",
  not_lottery: "First-come drop: claims only",
  rate_limited: "Too many tries (rate limited)",
  admission_required: "Waiting room: no admission",
  admission_expired: "Waiting room: admission expired",
  not_eligible: "Not eligible",
  other: "Other",
};

const ruleLabels: Record<EligibilityRule, string> = {
  suspended: "account suspended",
  verified_email: "email not verified",
  profile_incomplete: "region or age not declared",
  location: "connecting from another country",
  linked_account: "a linked account already claimed",
  account_age: "account too new",
  tier: "loyalty tier too low",
  region: "region not open",
  flagged: "account under review",
};

/** "not_eligible:some_rule" → "some rule": a code added later still reads as words. */
const spelledOut = (code: string) => code.replaceAll(/[_:]+/g, " ").trim();

/**
 * A claim's outcome or refusal reason in words: `sold_out` → "Sold out", `not_eligible:region` →
 * "Not eligible: region not open". An unknown code is spelled out rather than shown raw.
 */
export function claimReasonLabel(reason: string): string {
  if (Object.hasOwn(reasonLabels, reason)) return reasonLabels[reason as Labelled];
  if (reason.startsWith("not_eligible:")) {
    const rule = reason.slice("not_eligible:".length);
    const label = Object.hasOwn(ruleLabels, rule)
      ? ruleLabels[rule as EligibilityRule]
      : spelledOut(rule);
    return `${reasonLabels.not_eligible}: ${label}`;
  }
  const words = spelledOut(reason);
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : "Unknown";
}
