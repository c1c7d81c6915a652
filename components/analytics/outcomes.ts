import type { Slice } from "@/components/charts/donut-chart";
import type { OutcomeCategory, OutcomeCounts } from "@/lib/analytics/model";
import { outcomeCategories } from "@/lib/analytics/model";
import { claimReasonLabel } from "@/lib/analytics/reason-labels";

// Claimed is the good news (green); refusals in warm colours by how much they need a look.
const COLORS: Record<OutcomeCategory, string> = {
  claimed: "#0f7b4f",
  sold_out: "#64748b",
  not_eligible: "#d97706",
  rate_limited: "#b42318",
  limit_reached: "#7c3aed",
  other: "#a3a9b8",
};

export function outcomeSlices(counts: OutcomeCounts): Slice[] {
  return outcomeCategories.map((key) => ({
    key,
    label: claimReasonLabel(key),
    value: counts[key],
    color: COLORS[key],
  }));
}

export function outcomeSummary(counts: OutcomeCounts): string {
  return outcomeCategories.map((key) => `${claimReasonLabel(key)} ${counts[key]}`).join(", ");
}
