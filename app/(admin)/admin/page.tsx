import type { Metadata } from "next";
import Link from "next/link";
import { LiveDropsTable } from "@/components/admin/live-drops-table";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listAllDrops } from "@/lib/drops/drops";
import { formatMoney } from "@/lib/format";
import { listPrizes, prizeKindLabels } from "@/lib/prizes/prizes";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  await requirePageRole("/admin", "admin");
  const db = getDb();
  const [prizes, drops] = await Promise.all([listPrizes(db), listAllDrops(db)]);
  return (
    <>
      <div className="row">
        <h1>Admin</h1>
        <span className="spacer" />
        <Link className="button" href="/admin/prizes">
          New prize
        </Link>
        <Link className="button" href="/admin/drops">
          New drop
        </Link>
      </div>
      <h2>Drops</h2>
      <LiveDropsTable initial={drops} />
      <h2>Prizes</h2>
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
              <td>{p.name}</td>
              <td>{prizeKindLabels[p.kind]}</td>
              <td>{formatMoney(p.valueCents)}</td>
              <td>{p.quantity}</td>
              <td>{p.allocated}</td>
              <td>{p.remaining}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
