import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { claimReasonLabel } from "@/lib/analytics/reason-labels";
import type { ClaimAttempt } from "@/lib/audit/model";

/** Claim and lottery-entry attempts with their outcome and, for refusals, the reason in words. */
export function ClaimAttemptsTable({
  attempts,
  linkRedemptions = false,
  staff = false,
}: {
  attempts: ClaimAttempt[];
  /** Only the owner may open their redemptions. */
  linkRedemptions?: boolean;
  /** Staff read refusals as every admin page words them, not as the player was told. */
  staff?: boolean;
}) {
  if (attempts.length === 0) return <p className="card muted">No claim attempts yet.</p>;
  return (
    <TableScroll label="Claim attempts">
      <table>
        <thead>
          <tr>
            <th>Time</th>
            <th>Drop</th>
            <th>Attempt</th>
            <th>Outcome</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={a.id} data-testid="attempt-row" data-reason={a.reason ?? ""}>
              <td className="small">
                <DateTime value={a.at} />
              </td>
              <td>{a.drop ? <Link href={`/drops/${a.drop.id}`}>{a.drop.title}</Link> : "—"}</td>
              <td>{a.kind}</td>
              <td>
                <span className={`badge ${a.outcome === "ok" ? "live" : "sold_out"}`}>
                  {a.outcome === "ok" ? "went through" : a.outcome}
                </span>
              </td>
              <td>
                {(staff && a.reason ? claimReasonLabel(a.reason) : a.message) ??
                  (linkRedemptions && a.redemptionId ? (
                    <Link href={`/redemptions/${a.redemptionId}`}>See the redemption</Link>
                  ) : (
                    "—"
                  ))}
                {a.reason && !staff && <div className="muted small mono">{a.reason}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
