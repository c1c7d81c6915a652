"use client";

import Link from "next/link";
import { usePolled } from "@/components/ui/use-polled";
import { formatMoney } from "@/lib/format";
import { type PrizeView, prizeKindLabels } from "@/lib/prizes/prizes";

/** The admin's prize stock, refreshed every two seconds alongside the drops. */
export function LivePrizesTable({ initial }: { initial: PrizeView[] }) {
  const prizes = usePolled(
    "/api/v1/admin/prizes",
    initial,
    (body) => (body as { prizes: PrizeView[] }).prizes,
  );
  if (prizes.length === 0) return <p className="card muted">No prizes yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Prize</th>
          <th>Kind</th>
          <th>Value</th>
          <th>Quantity</th>
          <th>In drops</th>
          <th>Unclaimed</th>
        </tr>
      </thead>
      <tbody>
        {prizes.map((p) => (
          <tr key={p.id} data-testid="admin-prize-row">
            <td>
              <Link href={`/admin/prizes/${p.id}`}>{p.name}</Link>
            </td>
            <td>{prizeKindLabels[p.kind]}</td>
            <td>{formatMoney(p.valueCents)}</td>
            <td>{p.quantity}</td>
            <td>{p.allocated}</td>
            <td>{p.remaining}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
