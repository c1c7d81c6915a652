"use client";

import Link from "next/link";
import { Money } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { usePolled } from "@/components/ui/use-polled";
import type { PrizeView } from "@/lib/prizes/model";
import { prizeKindLabels } from "@/lib/prizes/model";

/** The admin's prize stock, refreshed every two seconds; retired prizes are listed apart. */
export function LivePrizesTable({ initial }: { initial: PrizeView[] }) {
  const prizes = usePolled(
    "/api/v1/admin/prizes",
    initial,
    (body) => (body as { prizes: PrizeView[] }).prizes,
  );
  if (prizes.length === 0) return <p className="card muted">No prizes yet.</p>;
  const retired = prizes.filter((p) => p.retiredAt);
  return (
    <>
      <PrizeTable prizes={prizes.filter((p) => !p.retiredAt)} testId="admin-prize-row" />
      {retired.length > 0 && (
        <>
          <h3>Retired</h3>
          <PrizeTable prizes={retired} testId="admin-retired-prize-row" />
        </>
      )}
    </>
  );
}

function PrizeTable({ prizes, testId }: { prizes: PrizeView[]; testId: string }) {
  return (
    <TableScroll label="Prizes">
      <table>
        <thead>
          <tr>
            <th>Prize</th>
            <th>Kind</th>
            <th>Value</th>
            <th>Quantity</th>
            <th>In drops</th>
            <th>Claimed</th>
            <th>Unclaimed</th>
            <th>Codes left</th>
          </tr>
        </thead>
        <tbody>
          {prizes.map((p) => (
            <tr key={p.id} data-testid={testId}>
              <td>
                <Link href={`/admin/prizes/${p.id}`}>{p.name}</Link>
              </td>
              <td>
                {prizeKindLabels[p.kind]}
                {p.tokenAmount && ` (${p.tokenAmount} ${p.tokenSymbol})`}
              </td>
              <td>
                <Money cents={p.valueCents} />
              </td>
              <td>{p.quantity}</td>
              <td>{p.allocated}</td>
              <td>{p.claimed}</td>
              <td>{p.remaining}</td>
              <td>{p.codesUnused ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
