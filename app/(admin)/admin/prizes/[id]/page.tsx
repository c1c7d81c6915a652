import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { setPrizeRetiredAction, updatePrizeAction } from "@/app/(admin)/actions";
import { CodeImportForm } from "@/components/admin/code-import-form";
import { CreatedNotice } from "@/components/admin/created-notice";
import { PrizeForm } from "@/components/admin/prize-form";
import { PrizeInventory } from "@/components/admin/prize-inventory";
import { DateTime, Money } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { GIFTCARD_PRODUCTS } from "@/lib/delivery/giftcard-products";
import { prizeKindLabels } from "@/lib/prizes/model";
import { getPrizeView } from "@/lib/prizes/prizes";
import { importCodesAction } from "./actions";

export const metadata: Metadata = { title: "Prize" };

export default async function PrizePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ created?: string | string[] }>;
}) {
  const { id } = await params;
  const { created } = await searchParams;
  await requirePageRole(`/admin/prizes/${id}`, "admin");
  const prize = await getPrizeView(getDb(), id);
  if (!prize) notFound();
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link> · <Link href="/admin/prizes">Prizes</Link>
      </p>
      <CreatedNotice created={created} what={`Prize “${prize.name}”`} />
      <h1>
        {prize.name}{" "}
        {prize.retiredAt && (
          <span className="badge ended" data-testid="retired-badge">
            retired
          </span>
        )}
      </h1>
      <p className="lead">
        {prizeKindLabels[prize.kind]} · <Money cents={prize.valueCents} />
        {prize.tokenAmount && ` · pays ${prize.tokenAmount} ${prize.tokenSymbol}`}
        {prize.kind === "gift_card" && (
          <span data-testid="prize-delivery-summary">
            {" · "}
            {prize.delivery === "giftcard"
              ? `ordered from the gift-card provider: ${GIFTCARD_PRODUCTS.find((p) => p.id === prize.providerProduct)?.name ?? prize.providerProduct}`
              : "codes imported into its pool"}
          </span>
        )}
      </p>
      <div className="grid two">
        <div className="card">
          <h2 style={{ marginTop: 0 }}>Inventory</h2>
          <PrizeInventory initial={prize} />
        </div>
        <div className="card">
          <h2 style={{ marginTop: 0 }}>{prize.retiredAt ? "Retired" : "Retire"}</h2>
          <p className="small">
            {prize.retiredAt ? (
              <>
                Retired <DateTime value={prize.retiredAt} />: no new drop may use it. Drops that
                have it keep it.
              </>
            ) : (
              "A retired prize goes into no new drop; drops that already have it keep it."
            )}
          </p>
          <form action={setPrizeRetiredAction.bind(null, prize.id, !prize.retiredAt)}>
            <button type="submit" className="secondary" data-testid="retire-toggle">
              {prize.retiredAt ? "Bring back" : "Retire prize"}
            </button>
          </form>
        </div>
      </div>
      <h2>Edit</h2>
      <PrizeForm prize={prize} action={updatePrizeAction.bind(null, prize.id)} />
      {prize.delivery === "pool" && (
        <div className="card" style={{ marginTop: 24 }}>
          <h2 style={{ marginTop: 0 }}>Import gift codes</h2>
          <CodeImportForm action={importCodesAction.bind(null, prize.id)} />
        </div>
      )}
    </>
  );
}
