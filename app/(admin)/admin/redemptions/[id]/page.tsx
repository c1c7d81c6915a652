import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { retryDeliveryAction } from "@/app/(admin)/admin/jobs/actions";
import {
  advanceShipmentAction,
  reverseRedemptionAction,
} from "@/app/(admin)/admin/redemptions/[id]/actions";
import { DeliveryStatusBadge } from "@/components/admin/delivery-status-badge";
import { JobActionButton } from "@/components/admin/job-action-button";
import { LiveDeliveries } from "@/components/admin/live-deliveries";
import { RedemptionReversalForm } from "@/components/admin/redemption-reversal-form";
import { RedemptionStatusBadge } from "@/components/admin/redemption-status-badge";
import { ShipmentStepForm } from "@/components/admin/shipment-step-form";
import { AuditTable } from "@/components/audit/audit-table";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { findAdminDelivery } from "@/lib/delivery/admin-deliveries";
import { readDeliveriesPulse } from "@/lib/delivery/admin-live";
import { nextShipmentStep } from "@/lib/delivery/model";
import { prizeKindLabels } from "@/lib/prizes/model";
import { describeOrigin, prizeRecoveryLabels } from "@/lib/redemptions/model";
import { getAdminRedemption } from "@/lib/redemptions/search-redemptions";

export const metadata: Metadata = { title: "Redemption" };

export default async function AdminRedemptionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageRole(`/admin/redemptions/${id}`, "admin");
  const [r, delivery, pulse] = await Promise.all([
    getAdminRedemption(getDb(), id),
    findAdminDelivery(getDb(), id),
    readDeliveriesPulse(getDb()),
  ]);
  if (!r) notFound();
  // Reversing gives a unit back to its drop: catalog and round redemptions have none.
  const reversible =
    r.origin.kind === "drop" && (r.status === "fulfilled" || r.status === "awaiting_action");
  return (
    <>
      {delivery && <LiveDeliveries pulse={pulse} />}
      <p className="small">
        <Link href="/admin/redemptions">← Redemptions</Link>
      </p>
      <h1>
        {r.prize.name} <RedemptionStatusBadge status={r.status} />
      </h1>
      <div className="grid two">
        <section className="card">
          <dl className="facts">
            <dt>Player</dt>
            <dd>
              <Link href={`/admin/accounts/${r.player.id}`}>{r.player.email}</Link>
            </dd>
            <dt>From</dt>
            <dd data-testid="redemption-origin">{describeOrigin(r)}</dd>
            <dt>Prize</dt>
            <dd>
              {r.prize.name} ({prizeKindLabels[r.prize.kind]})
            </dd>
            <dt>Claimed</dt>
            <dd>
              <DateTime value={r.claimedAt} />
            </dd>
            {r.unitId !== null && (
              <>
                <dt>Unit</dt>
                <dd>#{r.unitId}</dd>
              </>
            )}
            {r.actionDeadline && r.status === "awaiting_action" && (
              <>
                <dt>Address due</dt>
                <dd>
                  <DateTime value={r.actionDeadline} />
                </dd>
              </>
            )}
            {r.shippingAddress && (
              <>
                <dt>Ships to</dt>
                <dd>
                  {r.shippingAddress.name}, {r.shippingAddress.line1},{" "}
                  {r.shippingAddress.postalCode} {r.shippingAddress.city},{" "}
                  {r.shippingAddress.country}
                </dd>
              </>
            )}
            {r.expiredAt && (
              <>
                <dt>Expired</dt>
                <dd>
                  <DateTime value={r.expiredAt} />
                </dd>
              </>
            )}
            {r.rejection && (
              <>
                <dt>Rejected</dt>
                <dd data-testid="rejection-facts">
                  <DateTime value={r.rejection.rejectedAt} />: {r.rejection.reason} (SC refunded)
                </dd>
              </>
            )}
            {r.reversal && (
              <>
                <dt>Reversed</dt>
                <dd data-testid="reversal-facts">
                  <DateTime value={r.reversal.reversedAt} /> by {r.reversal.by?.email ?? "an admin"}
                  : {r.reversal.reason}
                </dd>
                <dt>Recovery</dt>
                <dd data-testid="reversal-prize" data-prize={r.reversal.prize}>
                  {prizeRecoveryLabels[r.reversal.prize]}
                </dd>
              </>
            )}
          </dl>
        </section>
        <section className="card">
          <h3>Ledger</h3>
          <TableScroll label="Ledger">
            <table>
              <thead>
                <tr>
                  <th>Entry</th>
                  <th>Log index</th>
                  <th>Logged</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {r.ledger.map((e) => (
                  <tr key={`${e.kind}:${e.loggedAt}`} data-testid="ledger-entry">
                    <td>{e.kind}</td>
                    <td>{e.leafIndex ?? "—"}</td>
                    <td className="small">
                      <DateTime value={e.loggedAt} />
                    </td>
                    <td>
                      <span className={`badge ${e.anchored ? "anchored" : "pending"}`}>
                        {e.anchored ? "anchored" : "pending"}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </section>
      </div>
      {delivery && (
        <section className="card" aria-label="Delivery" style={{ maxWidth: 560, marginTop: 16 }}>
          <h3>
            Delivery <DeliveryStatusBadge status={delivery.status} />
          </h3>
          <dl className="facts">
            <dt>Provider</dt>
            <dd>{delivery.provider}</dd>
            <dt>{delivery.provider === "shipping" ? "Tracking number" : "Reference"}</dt>
            <dd data-testid="delivery-reference">{delivery.reference ?? "—"}</dd>
            {delivery.shipment && (
              <>
                <dt>Parcel</dt>
                <dd data-testid="delivery-shipment">
                  {delivery.shipment.step}
                  {delivery.shipment.carrier && ` by ${delivery.shipment.carrier}`}
                </dd>
              </>
            )}
            {delivery.txHash && (
              <>
                <dt>Transaction</dt>
                <dd>
                  <code>{delivery.txHash}</code>
                </dd>
              </>
            )}
            <dt>Attempts</dt>
            <dd data-testid="delivery-attempts">{delivery.attempts}</dd>
            {delivery.lastError && (
              <>
                <dt>Last error</dt>
                <dd data-testid="delivery-error">
                  <code>{delivery.lastErrorCode}</code> {delivery.lastError}
                </dd>
              </>
            )}
            <dt>Changed</dt>
            <dd>
              <DateTime value={delivery.updatedAt} />
            </dd>
          </dl>
          {delivery.provider === "shipping" && (
            <ShipmentStepForm
              step={nextShipmentStep(delivery)}
              status={delivery.status}
              action={advanceShipmentAction.bind(null, r.id)}
            />
          )}
          {delivery.status === "dead" && (
            <>
              <p className="small muted">
                Its retries are spent or the provider refused it: retry it, or reverse the
                redemption below.
              </p>
              <JobActionButton
                action={retryDeliveryAction.bind(null, r.id)}
                label="Retry delivery"
                pendingLabel="Retrying…"
              />
            </>
          )}
        </section>
      )}
      <div style={{ maxWidth: 560, marginTop: 16 }}>
        <RedemptionReversalForm
          reversible={reversible}
          action={reverseRedemptionAction.bind(null, r.id)}
        />
      </div>
      <h2>Audit trail</h2>
      {r.audit.length === 0 ? (
        <p className="card muted">No change recorded yet.</p>
      ) : (
        <AuditTable events={r.audit} />
      )}
    </>
  );
}
