"use client";

import { usePolled } from "@/components/ui/use-polled";
import type { PrizeView } from "@/lib/prizes/model";

/** A prize's stock as it moves: units in drops, claimed, and codes left for a gift card. */
export function PrizeInventory({ initial }: { initial: PrizeView }) {
  const prize = usePolled(
    `/api/v1/admin/prizes/${initial.id}`,
    initial,
    (body) => body as PrizeView,
    1500,
  );
  return (
    <dl className="facts" data-testid="prize-inventory">
      <dt>Quantity</dt>
      <dd data-testid="inventory-quantity">{prize.quantity}</dd>
      <dt>In drops</dt>
      <dd data-testid="inventory-allocated">{prize.allocated}</dd>
      <dt>Not yet in a drop</dt>
      <dd>{prize.quantity - prize.allocated}</dd>
      <dt>Claimed</dt>
      <dd data-testid="inventory-claimed">{prize.claimed}</dd>
      {prize.codesTotal !== null && (
        <>
          <dt>Codes in pool</dt>
          <dd data-testid="code-pool-total">{prize.codesTotal}</dd>
          <dt>Codes unused</dt>
          <dd data-testid="code-pool-unused">{prize.codesUnused}</dd>
        </>
      )}
    </dl>
  );
}
