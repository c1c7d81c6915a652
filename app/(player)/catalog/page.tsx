import type { Metadata } from "next";
import Link from "next/link";
import { redeemCatalogItemAction } from "@/app/(player)/actions";
import { RedeemButton } from "@/components/catalog/redeem-button";
import { RedemptionReadiness } from "@/components/catalog/redemption-readiness";
import { Money } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { listCatalogItems } from "@/lib/catalog/catalog";
import { getRedemptionReadiness } from "@/lib/catalog/identity";
import { env } from "@/lib/config/env";
import { prizeKindLabels } from "@/lib/prizes/model";
import { formatCoins } from "@/lib/wallet/model";

export const metadata: Metadata = { title: "Prize catalog" };

export default async function CatalogPage() {
  const user = await currentUser();
  const db = getDb();
  const items = await listCatalogItems(db);
  const readiness = user?.role === "player" ? await getRedemptionReadiness(db, user.id) : null;
  return (
    <>
      <h1>Prize catalog</h1>
      <p className="lead">
        Redeem Sweeps Coins for prizes. Free Sweeps Coins must be played through once before they
        are redeemable; the least a redemption may cost is{" "}
        {formatCoins(env().CATALOG_MIN_REDEMPTION_SC)} SC, and one above{" "}
        {formatCoins(env().CATALOG_APPROVAL_THRESHOLD_SC)} SC waits for an admin&apos;s approval.
      </p>
      {readiness && (
        <RedemptionReadiness readiness={readiness} minimumSc={env().CATALOG_MIN_REDEMPTION_SC} />
      )}
      {items.length === 0 ? (
        <p className="card muted">Nothing in the catalog yet.</p>
      ) : (
        <div className="grid">
          {items.map((item) => (
            <section key={item.id} className="card stack" data-testid="catalog-item">
              <h3>{item.prize.name}</h3>
              <p className="muted small" style={{ margin: 0 }}>
                {prizeKindLabels[item.prize.kind]} · worth <Money cents={item.prize.valueCents} />
              </p>
              {item.prize.description && <p style={{ margin: 0 }}>{item.prize.description}</p>}
              <p style={{ margin: 0 }}>
                <strong data-testid="catalog-price">{item.price} SC</strong> ·{" "}
                <span className="muted">
                  {item.stock > 0 ? `${item.stock} left` : "out of stock"}
                </span>
              </p>
              {user?.role === "player" ? (
                <RedeemButton
                  action={redeemCatalogItemAction.bind(null, item.id)}
                  disabled={item.stock <= 0}
                  label={`Redeem for ${item.price} SC`}
                />
              ) : !user ? (
                <Link className="button" href="/signin?next=/catalog">
                  Sign in to redeem
                </Link>
              ) : null}
            </section>
          ))}
        </div>
      )}
    </>
  );
}
