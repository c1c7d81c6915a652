import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { confirmShippingAction } from "@/app/(player)/actions";
import { HeldPrizeNotice } from "@/components/catalog/held-prize-notice";
import { RedemptionOrigin } from "@/components/catalog/redemption-origin";
import { ShippingForm } from "@/components/drops/shipping-form";
import { ReceiptStatus } from "@/components/ledger/receipt-status";
import { DeliveryProgress } from "@/components/redemptions/live-delivery";
import { RedemptionCode } from "@/components/redemptions/redemption-code";
import { DateTime, Money } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { getRedemptionReadiness } from "@/lib/catalog/identity";
import { env } from "@/lib/config/env";
import { operatorWitnessing } from "@/lib/ledger/configured-identity";
import { prizeKindLabels } from "@/lib/prizes/model";
import { prizeRecoveryNotices } from "@/lib/redemptions/model";
import { getPlayerRedemption, getReceipt } from "@/lib/redemptions/redemptions";

export const metadata: Metadata = { title: "Redemption" };

export default async function RedemptionPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ claimed?: string; redeemed?: string }>;
}) {
  const [{ id }, { claimed, redeemed }] = await Promise.all([params, searchParams]);
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(`/redemptions/${id}`)}`);
  const db = getDb();
  const [redemption, receipt, reversalReceipt] =
    user.role === "player"
      ? await Promise.all([
          getPlayerRedemption(db, user.id, id),
          getReceipt(db, user.id, id),
          getReceipt(db, user.id, id, "reversal"),
        ])
      : [undefined, undefined, undefined];
  if (!redemption || !receipt) notFound();
  // The provider issues the card: the claim's own code is only its reference.
  const fromProvider = redemption.delivery?.provider === "giftcard";
  const witnessing = operatorWitnessing(env());
  const readiness =
    redemption.status === "held" ? await getRedemptionReadiness(db, user.id) : undefined;
  return (
    <>
      {claimed && (
        <p className="alert success" data-testid="claim-success">
          You claimed a unit of {redemption.drop?.title}.
        </p>
      )}
      {redeemed && (
        <p className="alert success" data-testid="redeem-success">
          {redemption.status === "pending_approval"
            ? "Redeemed: your Sweeps Coins are set aside while an admin approves it."
            : "Redeemed with Sweeps Coins."}
        </p>
      )}
      {redemption.wonInDraw && redemption.status === "awaiting_action" && (
        <p className="alert success" data-testid="lottery-win-notice">
          You won this prize in the draw of {redemption.drop?.title}. Tell us where to send it
          below.
        </p>
      )}
      <h1>{redemption.prize.name}</h1>
      <p className="lead">
        {prizeKindLabels[redemption.prize.kind]} · <Money cents={redemption.prize.valueCents} /> ·{" "}
        {redemption.wonInDraw
          ? "won in the draw"
          : redemption.origin.kind === "drop"
            ? "claimed"
            : redemption.origin.kind === "round"
              ? "won"
              : "redeemed"}{" "}
        <DateTime value={redemption.claimedAt} /> from <RedemptionOrigin redemption={redemption} />
      </p>
      <div className="grid two">
        <section className="card">
          <h3>{fromProvider ? "Your claim code" : "Your redemption code"}</h3>
          {redemption.code !== null ? (
            <RedemptionCode
              redemption={redemption}
              code={redemption.code}
              fromProvider={fromProvider}
            />
          ) : readiness ? (
            <HeldPrizeNotice readiness={readiness} />
          ) : redemption.status === "pending_approval" ? (
            <p className="alert info" data-testid="redemption-pending-approval">
              {redemption.origin.kind === "round"
                ? "This prize waits for an admin's approval. Its code appears here once it is approved; if it is rejected, you get the prize tier's value in Sweeps Coins."
                : "This redemption waits for an admin's approval. Its code appears here once it is approved; if it is rejected, your Sweeps Coins come back."}
            </p>
          ) : (
            <p className="muted">No code: this redemption was rejected.</p>
          )}
        </section>
        {redemption.delivery && (
          <section className="card">
            <h3>Delivery</h3>
            <DeliveryProgress
              redemptionId={redemption.id}
              initial={redemption.delivery}
              token={redemption.prize.token}
              witnessing={witnessing}
            />
          </section>
        )}
        {redemption.status === "awaiting_action" && redemption.actionDeadline && (
          <section className="card">
            <h3>Shipping</h3>
            <ShippingForm
              deadline={redemption.actionDeadline}
              action={confirmShippingAction.bind(null, redemption.id)}
            />
          </section>
        )}
        {redemption.shippingAddress && (
          <section className="card">
            <h3>Shipping</h3>
            <p className="alert success" data-testid="shipping-confirmed">
              Ships to {redemption.shippingAddress.name}, {redemption.shippingAddress.line1},{" "}
              {redemption.shippingAddress.postalCode} {redemption.shippingAddress.city},{" "}
              {redemption.shippingAddress.country}.
            </p>
          </section>
        )}
        {redemption.status === "expired" && (
          <section className="card">
            <h3>Expired</h3>
            <p className="alert error" data-testid="redemption-expired">
              No shipping address was confirmed in time, so this unit went back to the drop.
            </p>
          </section>
        )}
        {redemption.rejection && (
          <section className="card">
            <h3>Rejected</h3>
            <p className="alert error" data-testid="redemption-rejected">
              An admin rejected this redemption on{" "}
              <DateTime value={redemption.rejection.rejectedAt} />: {redemption.rejection.reason}
            </p>
            <p className="muted small">
              {redemption.origin.kind === "round"
                ? "You were paid the prize tier's value in Sweeps Coins instead"
                : "Your Sweeps Coins were refunded"}
              , and the rejection was written to the ledger next to the redemption.
            </p>
          </section>
        )}
        {redemption.reversal && (
          <section className="card">
            <h3>Reversed</h3>
            <p className="alert error" data-testid="redemption-reversed">
              An admin reversed this redemption on{" "}
              <DateTime value={redemption.reversal.reversedAt} />: {redemption.reversal.reason}
            </p>
            <p data-testid="reversal-prize" data-prize={redemption.reversal.prize}>
              {prizeRecoveryNotices[redemption.reversal.prize]}
            </p>
            <p className="muted small">
              The reversal was written to the ledger, next to the original claim.
            </p>
          </section>
        )}
        <section className="card">
          <h3>Receipt</h3>
          <ReceiptStatus redemptionId={redemption.id} initial={receipt} witnessing={witnessing} />
        </section>
        {reversalReceipt && (
          <section className="card" data-testid="reversal-receipt">
            <h3>Reversal receipt</h3>
            <ReceiptStatus
              redemptionId={redemption.id}
              initial={reversalReceipt}
              kind="reversal"
              witnessing={witnessing}
            />
          </section>
        )}
      </div>
    </>
  );
}
