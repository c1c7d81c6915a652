import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { claimReasonLabel } from "@/lib/analytics/reason-labels";
import { ATTEMPT_ACTIONS, type AuditEventView } from "@/lib/audit/model";
import { ChangeDiff } from "./change-diff";

/** Claim and lottery-entry attempts carry a claim's reasons. */
const CLAIM_ACTIONS = new Set(Object.keys(ATTEMPT_ACTIONS));

/**
 * A claim's reason in words, as every admin page says it, over its code (what the filter above
 * searches); other actions' reasons are shown as recorded.
 */
function AuditReason({ action, reason }: { action: string; reason: string | null }) {
  if (!reason) return "—";
  if (!CLAIM_ACTIONS.has(action)) return <span className="mono">{reason}</span>;
  return (
    <>
      {claimReasonLabel(reason)}
      <div className="muted mono">{reason}</div>
    </>
  );
}

/** Audit events as rows; every value is rendered as text, never as markup. */
export function AuditTable({ events }: { events: AuditEventView[] }) {
  if (events.length === 0) return <p className="card muted">No event matches.</p>;
  return (
    <TableScroll label="Audit events">
      <table>
        <thead>
          <tr>
            <th>Time</th>
            <th>Account</th>
            <th>Action</th>
            <th>Subject</th>
            <th>Outcome</th>
            <th>Reason</th>
            <th>IP · user agent · request</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-testid="audit-row" data-action={e.action}>
              <td className="small">
                <DateTime value={e.at} />
              </td>
              <td className="small">
                {e.actor ? e.actor.email : <span className="muted">system</span>}
              </td>
              <td className="mono small">{e.action}</td>
              <td className="mono small" style={{ wordBreak: "break-all" }}>
                {e.subject ?? "—"}
              </td>
              <td>{e.outcome}</td>
              <td className="small">
                <AuditReason action={e.action} reason={e.reason} />
              </td>
              <td className="small" style={{ maxWidth: 220 }}>
                {e.ip ?? "—"}
                {e.userAgent && (
                  <div className="muted" title={e.userAgent}>
                    {e.userAgent.length > 40 ? `${e.userAgent.slice(0, 40)}…` : e.userAgent}
                  </div>
                )}
                {e.requestId && (
                  <div className="muted mono" title="Request id">
                    {e.requestId}
                  </div>
                )}
              </td>
              <td>
                <ChangeDiff data={e.data} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
