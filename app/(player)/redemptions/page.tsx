import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { RedemptionOrigin } from "@/components/catalog/redemption-origin";
import { DeliveryBadge } from "@/components/redemptions/live-delivery";
import { DateTime, Money } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { listPlayerRedemptions } from "@/lib/redemptions/redemptions";

export const metadata: Metadata = { title: "My redemptions" };

export default async function RedemptionsPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/redemptions");
  if (user.role !== "player") redirect("/");
  const redemptions = await listPlayerRedemptions(getDb(), user.id);
  const toShip = redemptions.filter((r) => r.wonInDraw && r.status === "awaiting_action");
  return (
    <>
      <h1>My redemptions</h1>
      <p className="lead">
        Every prize you claimed, with its code, its delivery and its proof on the ledger.
      </p>
      {toShip.map((r) => (
        <p key={r.id} className="alert success" data-testid="lottery-win-notice">
          You won <strong>{r.prize.name}</strong> in the draw of {r.drop?.title}.{" "}
          <Link href={`/redemptions/${r.id}`}>Give your shipping address</Link>
          {r.actionDeadline && (
            <>
              {" "}
              by <DateTime value={r.actionDeadline} />
            </>
          )}
          , or it goes back to the drop.
        </p>
      ))}
      <p className="small">
        A claim that did not go through?{" "}
        <Link href="/account/claims">See each attempt and why</Link>.
      </p>
      {redemptions.length === 0 ? (
        <p className="card muted">
          Nothing yet. <Link href="/">See the live drops</Link>.
        </p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Prize</th>
                <th>From</th>
                <th>Claimed</th>
                <th>Delivery</th>
                <th>Ledger</th>
              </tr>
            </thead>
            <tbody>
              {redemptions.map((r) => (
                <tr key={r.id} data-testid="redemption-row">
                  <td>
                    <Link href={`/redemptions/${r.id}`}>{r.prize.name}</Link>{" "}
                    <span className="muted small">
                      <Money cents={r.prize.valueCents} />
                    </span>
                  </td>
                  <td>
                    <RedemptionOrigin redemption={r} />
                    {r.wonInDraw && <span className="muted small"> · won in the draw</span>}
                    {r.status === "pending_approval" && (
                      <div className="small">
                        <span className="badge pending">Waiting for approval</span>
                      </div>
                    )}
                    {r.status === "held" && (
                      <div className="small" data-testid="redemption-held-badge">
                        <span className="badge pending">Held</span> until you declare your identity
                        and verify your email
                      </div>
                    )}
                    {r.rejection && (
                      <div className="small" data-testid="redemption-rejected">
                        <span className="badge ended">Rejected</span> {r.rejection.reason}:{" "}
                        {r.origin.kind === "round" ? "paid in SC instead" : "the SC came back"}
                      </div>
                    )}
                  </td>
                  <td>
                    <DateTime value={r.claimedAt} />
                    {r.reversal && (
                      <div className="small" data-testid="redemption-reversed">
                        <span className="badge ended">Reversed</span>{" "}
                        <DateTime value={r.reversal.reversedAt} />: {r.reversal.reason}
                      </div>
                    )}
                  </td>
                  <td>
                    {r.delivery ? (
                      <DeliveryBadge redemptionId={r.id} initial={r.delivery} />
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <span className={`badge ${r.anchoring.status}`}>
                      {r.anchoring.status === "anchored" ? "anchored" : "pending anchoring"}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
