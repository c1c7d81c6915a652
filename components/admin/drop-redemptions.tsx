import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import type { AdminRedemptionSummary } from "@/lib/redemptions/model";
import styles from "./admin.module.css";
import { RedemptionStatusBadge } from "./redemption-status-badge";

/**
 * A drop's newest redemptions, each to its admin page; when there are more, the admin
 * redemptions list filtered to the drop has them all, page by page.
 */
export function DropRedemptions({
  dropId,
  page,
}: {
  dropId: string;
  page: { redemptions: AdminRedemptionSummary[]; nextAfter: string | null };
}) {
  const all = `/admin/redemptions?dropId=${dropId}`;
  return (
    <section aria-labelledby="drop-redemptions-heading" data-testid="drop-redemptions">
      <h2 id="drop-redemptions-heading">Redemptions</h2>
      {page.redemptions.length === 0 ? (
        <p className="card muted">No redemption yet.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Claimed</th>
                <th>Player and prize</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {page.redemptions.map((r) => (
                <tr key={r.id} data-testid="drop-redemption-row" data-redemption-id={r.id}>
                  <td className="small">
                    <Link href={`/admin/redemptions/${r.id}`}>
                      <DateTime value={r.claimedAt} />
                    </Link>
                  </td>
                  <td className={styles.player}>
                    {r.player.email}
                    <div className="muted small">{r.prize.name}</div>
                  </td>
                  <td>
                    <RedemptionStatusBadge status={r.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.redemptions.length > 0 && (
        <p className="small">
          {page.nextAfter
            ? `The newest ${page.redemptions.length} are shown. `
            : "That is every one. "}
          <Link href={all} data-testid="drop-redemptions-all">
            {page.nextAfter ? "All of this drop's redemptions →" : "In the redemptions list →"}
          </Link>
        </p>
      )}
    </section>
  );
}
