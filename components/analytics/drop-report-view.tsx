import Link from "next/link";
import { AreaChart } from "@/components/charts/area-chart";
import { BarList } from "@/components/charts/bar-list";
import { ColumnChart } from "@/components/charts/column-chart";
import { DonutChart } from "@/components/charts/donut-chart";
import { DateTime } from "@/components/ui/date-time";
import {
  type DropReport,
  dropReportSections,
  dropReportSectionTitles,
} from "@/lib/analytics/model";
import { clockTime } from "@/lib/format";
import styles from "./analytics.module.css";
import { formatDuration, plural } from "./format";
import { outcomeSlices, outcomeSummary } from "./outcomes";

const DELIVERY: Array<{ key: keyof DropReport["deliveryStatus"]; label: string; color: string }> = [
  { key: "fulfilled", label: "Delivered", color: "#0f7b4f" },
  { key: "awaiting_action", label: "Awaiting shipping address", color: "#d97706" },
  { key: "expired", label: "Expired", color: "#64748b" },
  { key: "reversed", label: "Reversed", color: "#b42318" },
];

/** One CSV download per section of the report, each a proper file with its header row. */
export function DropReportDownloads({ dropId }: { dropId: string }) {
  return (
    <nav aria-label="CSV downloads" className={styles.downloads} data-testid="report-downloads">
      <span className={styles.muted}>Download as CSV:</span>
      <ul>
        {dropReportSections.map((section) => (
          <li key={section}>
            <a
              href={`/api/v1/admin/drops/${dropId}/report?format=csv&section=${section}`}
              download
              data-testid={`export-csv-${section}`}
            >
              {dropReportSectionTitles[section]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * The post-drop report: how fast it went, who claimed, what was refused, and proof coverage.
 * Flagged accounts link to their admin pages for admins (auditors may not open those).
 */
export function DropReportView({
  report,
  linkAccounts,
  timeZone,
}: {
  report: DropReport;
  linkAccounts: boolean;
  /** The viewer's, for the charts' time axes. */
  timeZone: string;
}) {
  const { drop, claimCurve } = report;
  const given = drop.units - drop.remaining;
  const sharePercent = Math.floor(report.anchoredShare * 1000) / 10;
  const complete = report.anchored === report.redemptions;
  const points = claimCurve.points;
  const first = points[0];
  const before = first
    ? clockTime(
        new Date(Date.parse(first.t) - claimCurve.bucketSeconds * 1000).toISOString(),
        timeZone,
      )
    : "";
  return (
    <>
      <section className={styles.tiles} aria-label="Key figures">
        <div className={styles.tile}>
          <div className={styles.tileLabel}>Time to sell out</div>
          <div className={styles.tileValue} data-testid="time-to-sell-out">
            {report.timeToSellOutSeconds === null
              ? "Not sold out"
              : formatDuration(report.timeToSellOutSeconds)}
          </div>
          <div className={styles.tileNote}>
            {given.toLocaleString("en")} of {drop.units.toLocaleString("en")} units given
          </div>
        </div>
        <div className={styles.tile}>
          <div className={styles.tileLabel}>Unique players</div>
          <div className={styles.tileValue} data-testid="unique-players">
            {report.uniquePlayers.toLocaleString("en")}
          </div>
          <div className={styles.tileNote}>granted at least one unit</div>
        </div>
        <div className={styles.tile}>
          <div className={styles.tileLabel}>Remaining</div>
          <div className={styles.tileValue} data-testid="report-remaining">
            {drop.remaining.toLocaleString("en")}
          </div>
          <div className={styles.tileNote}>units available now</div>
        </div>
        <div className={styles.tile}>
          <div className={styles.tileLabel}>Flagged accounts</div>
          <div
            className={`${styles.tileValue} ${report.flaggedAccounts.length > 0 ? styles.bad : ""}`}
          >
            {report.flaggedAccounts.length.toLocaleString("en")}
          </div>
          <div className={styles.tileNote}>linked to this drop</div>
        </div>
      </section>

      <div className={styles.panels}>
        <section className={`${styles.panel} ${styles.wide}`}>
          <h2>
            Claim curve{" "}
            <small>
              running total above, claims per {formatDuration(claimCurve.bucketSeconds)} below
            </small>
          </h2>
          {points.length === 0 ? (
            <p className={styles.muted}>No claims yet.</p>
          ) : (
            <>
              <AreaChart
                labels={[before, ...points.map((p) => clockTime(p.t, timeZone))]}
                series={[
                  {
                    name: "Claimed so far",
                    // Nothing in the bucket before the first: even a single burst draws as a rise.
                    values: [0, ...points.map((p) => p.cumulative)],
                    color: "#4338ca",
                    filled: true,
                  },
                ]}
                yMax={Math.max(drop.units, ...points.map((p) => p.cumulative))}
                width={600}
                summary={`Claims over time: ${points.at(-1)?.cumulative ?? 0} in total`}
                showLegend={false}
              />
              <ColumnChart
                labels={points.map((p) => clockTime(p.t, timeZone))}
                values={points.map((p) => p.claims)}
                labelEvery={Math.max(1, Math.ceil(points.length / 6))}
                width={600}
                height={90}
                color="#0f7b4f"
                summary={`Claims per ${formatDuration(claimCurve.bucketSeconds)}`}
              />
            </>
          )}
        </section>
        <section className={`${styles.panel} ${styles.narrow}`} data-testid="anchored-share">
          <h2>Redemptions anchored</h2>
          <div className={`${styles.share} ${complete ? styles.good : styles.warn}`}>
            {sharePercent}%
          </div>
          <div className={styles.meter} aria-hidden="true">
            <div
              className={styles.meterFill}
              style={{
                width: `${report.anchoredShare * 100}%`,
                background: complete ? "var(--ok)" : "var(--warn)",
              }}
            />
          </div>
          <p className={styles.muted}>
            {report.redemptions === 0
              ? "No redemptions yet."
              : complete
                ? `${plural(report.redemptions, "redemption")}, every one in a checkpoint anchored on chain.`
                : `${report.anchored.toLocaleString("en")} of ${plural(report.redemptions, "redemption")} anchored; the rest go into the next checkpoint.`}
          </p>
        </section>

        <section className={`${styles.panel} ${styles.half}`}>
          <h2>Claim outcomes</h2>
          <DonutChart
            slices={outcomeSlices(report.outcomes)}
            totalLabel="attempts"
            summary={`Claim outcomes: ${outcomeSummary(report.outcomes)}`}
          />
        </section>
        <section className={`${styles.panel} ${styles.half}`} data-testid="refusals">
          <h2>Refusals by reason</h2>
          <BarList
            bars={report.refusalsByReason.map((r) => ({
              key: r.reason,
              label: r.label,
              value: r.count,
              color: "#d97706",
            }))}
            empty="No claim was refused"
          />
        </section>

        <section className={`${styles.panel} ${styles.half}`} data-testid="delivery">
          <h2>Delivery status</h2>
          <BarList
            bars={DELIVERY.map((d) => ({
              key: d.key,
              label: d.label,
              value: report.deliveryStatus[d.key],
              color: d.color,
            }))}
          />
        </section>
        <section className={`${styles.panel} ${styles.half}`} data-testid="flagged-accounts">
          <h2>Flagged accounts</h2>
          {report.flaggedAccounts.length === 0 ? (
            <p className={styles.muted}>No account was flagged over this drop.</p>
          ) : (
            <ul className={styles.flagged}>
              {report.flaggedAccounts.map((a) => (
                <li key={a.id}>
                  {linkAccounts ? (
                    <Link href={`/admin/accounts/${a.id}`}>{a.displayName}</Link>
                  ) : (
                    a.displayName
                  )}{" "}
                  <span className={styles.muted}>
                    {a.email} · {a.flaggedReason ?? "no reason given"} ·{" "}
                    <DateTime value={a.flaggedAt} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
