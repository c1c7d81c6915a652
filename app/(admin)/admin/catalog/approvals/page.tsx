import type { Metadata } from "next";
import Link from "next/link";
import { ReviewForms } from "@/components/catalog/review-forms";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listPendingApprovals } from "@/lib/catalog/review-redemption";
import { env } from "@/lib/config/env";
import { prizeKindLabels } from "@/lib/prizes/model";
import { formatCoins } from "@/lib/wallet/model";
import { approveRedemptionAction, rejectRedemptionAction } from "../actions";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  await requirePageRole("/admin/catalog/approvals", "admin");
  const queue = await listPendingApprovals(getDb());
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link> · <Link href="/admin/catalog">Catalog</Link>
      </p>
      <h1>Approvals</h1>
      <p className="lead">
        Catalog redemptions and round prizes of items above{" "}
        {formatCoins(env().CATALOG_APPROVAL_THRESHOLD_SC)} SC wait here. Their SC and stock are
        taken; the player sees the code once approved. A rejection refunds the SC (a round&apos;s
        prize: pays the prize tier&apos;s coin value), puts the unit back and logs a reversal.
      </p>
      {queue.length === 0 ? (
        <p className="card muted" data-testid="approvals-empty">
          Nothing waits for approval.
        </p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Requested</th>
                <th>Player</th>
                <th>Prize</th>
                <th>Price</th>
                <th>Review</th>
              </tr>
            </thead>
            <tbody>
              {queue.map((r) => (
                <tr key={r.id} data-testid="approval-row">
                  <td className="small">
                    <DateTime value={r.requestedAt} />
                  </td>
                  <td>
                    <Link href={`/admin/accounts/${r.player.id}`}>{r.player.email}</Link>
                  </td>
                  <td>
                    <Link href={`/admin/redemptions/${r.id}`}>{r.prize.name}</Link>
                    <div className="small muted">{prizeKindLabels[r.prize.kind]}</div>
                  </td>
                  <td>
                    {r.price} SC
                    {r.roundId && (
                      <div className="small muted" data-testid="approval-round-prize">
                        won in a game round
                      </div>
                    )}
                  </td>
                  <td>
                    <ReviewForms
                      label={r.prize.name}
                      approve={approveRedemptionAction.bind(null, r.id)}
                      reject={rejectRedemptionAction.bind(null, r.id)}
                    />
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
