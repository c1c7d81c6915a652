import Link from "next/link";
import { AreaChart } from "@/components/charts/area-chart";
import { BarList } from "@/components/charts/bar-list";
import { ColumnChart } from "@/components/charts/column-chart";
import { DonutChart } from "@/components/charts/donut-chart";
import { PALETTE, paletteColor } from "@/components/charts/scale";
import { DateTime, useViewerZone } from "@/components/ui/date-time";
import type { DashboardSnapshot, LiveDrop } from "@/lib/analytics/model";
import { clockTime, shortHash } from "@/lib/format";
import styles from "./analytics.module.css";
import { formatDuration, formatMs, formatSeconds, kindLabel, plural } from "./format";
import { type MissedDeadlineRow, missedDeadlineNote, missedDeadlineRows } from "./missed-deadlines";
import { outcomeSlices, outcomeSummary } from "./outcomes";

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));

/**
 * Everything the live dashboard shows, drawn from one snapshot (on the server or as it streams).
 * Prize names and late redemptions link to their admin pages for admins (auditors may not open
 * those).
 */
export function DashboardView({
  snapshot,
  adminLinks,
}: {
  snapshot: DashboardSnapshot;
  adminLinks: boolean;
}) {
  const { claimsPerSecond, outcomeMix, latency, deliveryTime, anchoring } = snapshot;
  const today = outcomeMix.today;
  const claimedToday = today.claimed;
  const attemptsToday = Object.values(today).reduce((a, b) => a + b, 0);
  const series = claimsPerSecond.series;
  const missed = anchoring.missedDeadlines;
  const timeZone = useViewerZone();
  return (
    <>
      <section className={styles.tiles} aria-label="Key figures">
        <div className={styles.tile}>
          <div className={styles.tileLabel}>Claims / second</div>
          <div className={styles.tileValue} data-testid="claims-per-second">
            {claimsPerSecond.current.toFixed(claimsPerSecond.current < 10 ? 1 : 0)}
          </div>
          <div className={styles.tileNote}>average of the last 10 s</div>
        </div>
        <div className={styles.tile}>
          <div className={styles.tileLabel}>Claimed today</div>
          <div className={styles.tileValue} data-testid="claimed-today">
            {claimedToday.toLocaleString("en")}
          </div>
          <div className={styles.tileNote}>of {plural(attemptsToday, "attempt")} today (UTC)</div>
        </div>
        <div className={styles.tile}>
          <div className={styles.tileLabel}>Claim latency (ms)</div>
          <div className={styles.latency}>
            {(["p50", "p95", "p99"] as const).map((p) => (
              <div key={p}>
                <span>{p}</span>
                <span data-testid={`latency-${p}`}>{formatMs(latency[p])}</span>
              </div>
            ))}
          </div>
          <div className={styles.tileNote}>
            {plural(latency.samples, "claim")} in the last {formatDuration(latency.windowSeconds)}
          </div>
        </div>
        <div className={styles.tile} data-testid="delivery-time">
          <div className={styles.tileLabel}>Claim → delivered (s)</div>
          <div className={styles.latency}>
            {(["p50", "p99"] as const).flatMap((p) =>
              (["last5Minutes", "today"] as const).map((w) => (
                <div key={`${p}-${w}`}>
                  <span>
                    {p} {w === "today" ? "today" : "5 min"}
                  </span>
                  <span data-testid={`delivery-${p}-${w}`}>
                    {formatSeconds(deliveryTime[w][p])}
                  </span>
                </div>
              )),
            )}
          </div>
          <div className={styles.tileNote}>
            {plural(deliveryTime.last5Minutes.samples, "delivery", "deliveries")} in the last 5 min,{" "}
            {deliveryTime.today.samples.toLocaleString("en")} today (UTC)
          </div>
        </div>
        <div className={styles.tile}>
          <div className={styles.tileLabel}>Anchoring lag</div>
          <div
            className={`${styles.tileValue} ${lagClass(anchoring.lagSeconds)}`}
            data-testid="anchoring-lag"
          >
            {formatDuration(anchoring.lagSeconds)}
          </div>
          <div className={styles.tileNote}>
            {anchoring.pendingEntries === 0
              ? "every ledger entry anchored"
              : `${plural(anchoring.pendingEntries, "entry", "entries")} waiting`}
          </div>
        </div>
        <div className={styles.tile}>
          <div className={styles.tileLabel}>Last checkpoint</div>
          {anchoring.lastCheckpoint ? (
            <>
              <div className={styles.tileValue}>
                #{anchoring.lastCheckpoint.treeSize.toLocaleString("en")}
              </div>
              <div
                className={`${styles.tileNote} mono`}
                title={anchoring.lastCheckpoint.txHash ?? undefined}
                data-testid="last-checkpoint-tx"
              >
                {anchoring.lastCheckpoint.txHash
                  ? `tx ${shortHash(anchoring.lastCheckpoint.txHash, 6)}`
                  : "not on chain yet"}
              </div>
              {anchoring.lastCheckpoint.anchoredAt && (
                <div className={styles.tileNote}>
                  anchored <DateTime value={anchoring.lastCheckpoint.anchoredAt} style="time" />
                </div>
              )}
            </>
          ) : (
            <div className={styles.tileValue}>–</div>
          )}
        </div>
        <div className={styles.tile} data-testid="missed-deadlines">
          <div className={styles.tileLabel}>Missed deadlines</div>
          <div
            className={`${styles.tileValue} ${missed.count === 0 ? styles.good : styles.bad}`}
            data-testid="missed-deadlines-count"
          >
            {missed.count.toLocaleString("en")}
          </div>
          <div className={styles.tileNote}>{missedDeadlineNote(missed.count, missed.entries)}</div>
        </div>
      </section>

      {missed.count > 0 && (
        <MissedDeadlinesPanel
          count={missed.count}
          rows={missedDeadlineRows(missed.entries, snapshot.at, adminLinks)}
        />
      )}

      <div className={styles.panels}>
        <section className={`${styles.panel} ${styles.wide}`}>
          <h2>
            Claims per second <small>last 60 s</small>
          </h2>
          <AreaChart
            labels={series.map((p) => clockTime(p.t, timeZone))}
            width={600}
            series={[
              // Attempts first, so the claims drawn over them stay visible where the two agree.
              { name: "All attempts", values: series.map((p) => p.attempts), color: PALETTE[0] },
              {
                name: "Claimed",
                values: series.map((p) => p.claimed),
                color: "#0f7b4f",
                filled: true,
              },
            ]}
            summary={`Claims per second over the last minute; now ${claimsPerSecond.current.toFixed(1)}`}
          />
        </section>
        <section className={`${styles.panel} ${styles.narrow}`} data-testid="outcome-mix">
          <h2>
            Outcome mix <small>today</small>
          </h2>
          <DonutChart
            slices={outcomeSlices(today)}
            totalLabel="attempts"
            summary={`Claim outcomes today: ${outcomeSummary(today)}`}
          />
          <p className={styles.muted}>
            Last 5 minutes: {outcomeMix.last5Minutes.claimed.toLocaleString("en")} claimed of{" "}
            {Object.values(outcomeMix.last5Minutes)
              .reduce((a, b) => a + b, 0)
              .toLocaleString("en")}
          </p>
        </section>

        <section className={styles.panel}>
          <h2>
            Live drops <small>units left</small>
          </h2>
          {snapshot.liveDrops.length === 0 ? (
            <p className={styles.muted}>No drop is live right now.</p>
          ) : (
            <div className={styles.drops}>
              {snapshot.liveDrops.map((drop) => (
                <LiveDropCard key={drop.id} drop={drop} />
              ))}
            </div>
          )}
        </section>

        <section className={`${styles.panel} ${styles.third}`}>
          <h2>Redemptions by prize kind</h2>
          <BarList
            bars={snapshot.redemptionsByKind.map((k, i) => ({
              key: k.kind,
              label: kindLabel(k.kind),
              value: k.count,
              color: paletteColor(i),
            }))}
            empty="No redemptions yet"
          />
        </section>
        <section className={`${styles.panel} ${styles.third}`}>
          <h2>By region</h2>
          <BarList
            bars={snapshot.byRegion.map((r) => ({
              key: r.region,
              label: r.region === "??" ? "Unknown" : r.region,
              value: r.count,
              color: PALETTE[1],
            }))}
            empty="No redemptions yet"
          />
        </section>
        <section className={`${styles.panel} ${styles.third}`}>
          <h2>Top prizes</h2>
          <BarList
            bars={snapshot.topPrizes.map((p) => ({
              key: p.prizeId,
              label: adminLinks ? (
                <Link href={`/admin/prizes/${p.prizeId}`}>{p.name}</Link>
              ) : (
                p.name
              ),
              value: p.count,
              color: PALETTE[2],
            }))}
            empty="No redemptions yet"
          />
        </section>
        <section className={styles.panel}>
          <h2>
            Redemptions by hour of day <small>UTC, all time</small>
          </h2>
          <ColumnChart
            labels={HOURS}
            values={snapshot.byHourOfDay}
            labelEvery={3}
            width={900}
            height={160}
            summary={`Redemptions by hour of day (UTC): ${snapshot.byHourOfDay
              .map((n, h) => `${HOURS[h]}h ${n}`)
              .join(", ")}`}
          />
        </section>
      </div>
    </>
  );
}

/** Provisional receipts whose promised anchoring time passed first: a broken promise to a player. */
function MissedDeadlinesPanel({ count, rows }: { count: number; rows: MissedDeadlineRow[] }) {
  return (
    <section
      className={`${styles.panel} ${styles.alarm}`}
      aria-labelledby="missed-deadlines-heading"
      data-testid="missed-deadlines-panel"
    >
      <h2 id="missed-deadlines-heading">
        Missed anchoring deadlines{" "}
        <small>
          {rows.length < count
            ? `newest ${rows.length} of ${count.toLocaleString("en")}`
            : "newest first"}
        </small>
      </h2>
      <ul className={styles.missed}>
        {rows.map((row) => (
          <li key={row.key} data-testid="missed-deadline" data-waiting={row.anchoredAt === null}>
            <span className={styles.missedEntry}>
              {row.href ? <Link href={row.href}>{row.entry}</Link> : row.entry}
            </span>
            <span>
              promised by <DateTime value={row.promisedBy} />
            </span>
            {row.anchoredAt === null ? (
              <span className={styles.bad}>still waiting, {row.lateBy} past</span>
            ) : (
              <span>
                anchored <DateTime value={row.anchoredAt} />,{" "}
                <span className={styles.bad}>{row.lateBy} late</span>
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function LiveDropCard({ drop }: { drop: LiveDrop }) {
  const timeZone = useViewerZone();
  const claimed = drop.units - drop.remaining;
  return (
    <article className={styles.drop} data-testid="live-drop" data-drop-id={drop.id}>
      <div className={styles.dropHead}>
        <Link className={styles.dropTitle} href={`/admin/drops/${drop.id}/report`}>
          {drop.title}
        </Link>
        {drop.paused && <span className="badge paused">paused</span>}
        <span className={styles.remaining}>
          <span data-testid="live-drop-remaining">{drop.remaining.toLocaleString("en")}</span>
          <small className={styles.units}> / {drop.units.toLocaleString("en")}</small>
        </span>
      </div>
      <AreaChart
        labels={drop.burnDown.map((p) => clockTime(p.t, timeZone).slice(0, 5))}
        series={[
          {
            name: "Units left",
            // The curve counts claims only; its last point is now, so it shows units that came
            // back (reversals, expiries) as the count beside it does.
            values: [...drop.burnDown.slice(0, -1).map((p) => p.remaining), drop.remaining],
            color: "#4338ca",
            filled: true,
          },
        ]}
        yMax={drop.units}
        width={300}
        height={110}
        summary={`${drop.title}: ${drop.remaining} of ${drop.units} units left, ${claimed} claimed`}
      />
      <div className={styles.muted}>
        ends <DateTime value={drop.endsAt} />
      </div>
    </article>
  );
}

function lagClass(seconds: number): string {
  if (seconds < 60) return styles.good ?? "";
  if (seconds < 600) return styles.warn ?? "";
  return styles.bad ?? "";
}
