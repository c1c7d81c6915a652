import type { Metadata } from "next";
import Link from "next/link";
import {
  CatalogItemCreateForm,
  CatalogItemEditForm,
} from "@/components/catalog/catalog-admin-forms";
import { Money } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listCatalogItems } from "@/lib/catalog/catalog";
import { prizeKindLabels } from "@/lib/prizes/model";
import { listPrizes } from "@/lib/prizes/prizes";
import {
  createCatalogItemAction,
  setCatalogItemRetiredAction,
  updateCatalogItemAction,
} from "./actions";

export const metadata: Metadata = { title: "Catalog" };

export default async function AdminCatalogPage() {
  await requirePageRole("/admin/catalog", "admin");
  const db = getDb();
  const [items, prizes] = await Promise.all([
    listCatalogItems(db, { includeRetired: true }),
    listPrizes(db),
  ]);
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link> · <Link href="/admin/catalog/approvals">Approvals</Link>
      </p>
      <h1>Catalog</h1>
      <p className="lead">Prizes players redeem with Sweeps Coins, each with its own stock.</p>
      {items.length === 0 ? (
        <p className="card muted">Nothing on sale yet.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Prize</th>
                <th>Price and stock</th>
                <th>On sale</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id} data-testid="catalog-admin-item">
                  <td>
                    <Link href={`/admin/prizes/${item.prize.id}`}>{item.prize.name}</Link>
                    <div className="small muted">
                      {prizeKindLabels[item.prize.kind]} · <Money cents={item.prize.valueCents} />
                    </div>
                  </td>
                  <td>
                    <CatalogItemEditForm
                      item={item}
                      action={updateCatalogItemAction.bind(null, item.id)}
                    />
                  </td>
                  <td>
                    <form action={setCatalogItemRetiredAction.bind(null, item.id, !item.retiredAt)}>
                      <button type="submit" className="secondary">
                        {item.retiredAt ? "Put back on sale" : "Retire"}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Put a prize on sale</h2>
      <CatalogItemCreateForm
        prizes={prizes.filter((p) => !p.retiredAt).map((p) => ({ id: p.id, name: p.name }))}
        action={createCatalogItemAction}
      />
    </>
  );
}
