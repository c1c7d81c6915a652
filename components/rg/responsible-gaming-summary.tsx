import { DateTime } from "@/components/ui/date-time";
import {
  type ExclusionView,
  type ResponsibleGamingView,
  rgExclusionLabels,
  rgLimitKindLabels,
  rgPeriodLabels,
} from "@/lib/rg/model";

/** A player's limits and breaks as an admin sees them: read-only, nobody changes them for them. */
export function ResponsibleGamingSummary({
  view,
  exclusions,
}: {
  view: ResponsibleGamingView;
  exclusions: ExclusionView[];
}) {
  const set = view.limits.filter((l) => l.amount !== null || l.pending !== null);
  return (
    <div className="grid two" data-testid="rg-summary">
      <section className="card">
        <h3>Limits</h3>
        {set.length === 0 ? (
          <p className="muted">None set.</p>
        ) : (
          <ul>
            {set.map((l) => (
              <li key={`${l.kind}.${l.period}`}>
                {rgPeriodLabels[l.period]} {rgLimitKindLabels[l.kind].toLowerCase()}:{" "}
                {l.amount ?? "none"} (used {l.used})
                {l.pending && (
                  <>
                    , {l.pending.amount ?? "removed"} from <DateTime value={l.pending.from} />
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
        <p className="small muted" style={{ marginBottom: 0 }}>
          Session reminder:{" "}
          {view.sessionReminderMinutes ? `every ${view.sessionReminderMinutes} minutes` : "off"}
        </p>
      </section>
      <section className="card">
        <h3>Cool-offs and self-exclusions</h3>
        {exclusions.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul>
            {exclusions.map((e) => (
              <li key={e.startsAt}>
                {rgExclusionLabels[e.kind]} from <DateTime value={e.startsAt} />{" "}
                {e.endsAt ? (
                  <>
                    until <DateTime value={e.endsAt} />
                  </>
                ) : (
                  "with no end"
                )}
                {view.exclusion?.startsAt === e.startsAt && <strong> (in force)</strong>}
              </li>
            ))}
          </ul>
        )}
        <p className="small muted" style={{ marginBottom: 0 }}>
          Nobody, admins included, can end one early.
        </p>
      </section>
    </div>
  );
}
