import type { Slice } from "@/components/charts/donut-chart";
import type { OutcomeCategory, OutcomeCounts } from "@/lib/analytics/model";
import { outcomeCategories } from "@/lib/analytics/model";

const LABELS: Record<OutcomeCategory, string> = {
  claimed: "Claimed",
  sold_out: "Sold out",
  not_eligible: "Not eligible",
  rate_limited: "Rate limited",
  limit_reached: "Limit reached",
  other: "Other",
};

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
    label: LABELS[key],
    value: counts[key],
    color: COLORS[key],
  }));
}

export function outcomeSummary(counts: OutcomeCounts): string {
  return outcomeCategories.map((key) => `${LABELS[key]} ${counts[key]}`).join(", ");
}
