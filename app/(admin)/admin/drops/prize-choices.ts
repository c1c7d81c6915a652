import type { PrizeChoice } from "@/components/admin/drop-form";
import type { PrizeView } from "@/lib/prizes/model";

/**
 * The prizes a drop form offers: those not retired, plus `keep` (the prizes a drop being edited
 * already has, which it may keep). Unallocated counts the drop's own units as free.
 */
export function prizeChoices(
  prizes: PrizeView[],
  keep: Array<{ prizeId: string; units: number }> = [],
): PrizeChoice[] {
  return prizes
    .filter((p) => !p.retiredAt || keep.some((k) => k.prizeId === p.id))
    .map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      valueCents: p.valueCents,
      description: p.description,
      tokenAmount: p.tokenAmount,
      tokenSymbol: p.tokenSymbol,
      unallocated:
        p.quantity -
        p.allocated +
        keep.filter((k) => k.prizeId === p.id).reduce((n, k) => n + k.units, 0),
    }));
}
