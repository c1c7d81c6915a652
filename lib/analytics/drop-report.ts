import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { csvRecord } from "@/lib/audit/csv";
import type { AllocationMode } from "@/lib/drops/model";
import { AppError } from "@/lib/errors/app-error";
import { lastAnchoredCheckpoint } from "./anchoring-status";
import { claimSeries, outcomeCounts } from "./claim-series";
import type { DeliveryStatus, DropReport, FlaggedAccount } from "./model";

const iso = (v: string | Date) => new Date(v).toISOString();

/**
 * The post-drop report. Claim answers come from the per-second counters; the rest are index
 * ranges of the drop's own rows (delivery status from the (drop, status) index alone).
 */
export async function getDropReport(db: DbOrTx, dropId: string): Promise<DropReport> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(dropId)) {
    throw new AppError("not_found", "No such drop");
  }
  const [drop] = await db.execute<{
    id: string;
    title: string;
    units: number;
    starts_at: string | Date;
    ends_at: string | Date;
    ended_early_at: string | Date | null;
    allocation: AllocationMode;
    now: string | Date;
    remaining: number;
  }>(sql`
    select d.id, d.title, d.units, d.starts_at, d.ends_at, d.ended_early_at, d.allocation,
           now() as now,
           (select count(*)::int from drop_units u
            where u.drop_id = d.id and u.status = 'available') as remaining
    from drops d where d.id = ${dropId}`);
  if (!drop) throw new AppError("not_found", "No such drop");
  const units = Number(drop.units);

  const [reasons, span, soldOut, players, statuses, flaggedAccounts, checkpoint] =
    await Promise.all([
      db.execute<{ reason: string; n: number }>(sql`
        select reason, sum(n)::int as n from claim_outcome_seconds
        where drop_id = ${dropId} group by reason`),
      db.execute<{ first: string | Date | null; last: string | Date | null }>(sql`
        select min(at) as first, max(at) as last from claim_outcome_seconds
        where drop_id = ${dropId}`),
      // The second in which claims so far reached the drop's units.
      db.execute<{ at: string | Date }>(sql`
        select at from (
          select at, sum(n) over (order by at) as so_far from claim_outcome_seconds
          where drop_id = ${dropId} and reason = 'claimed'
        ) t where so_far >= ${units} order by at limit 1`),
      db.execute<{ n: number }>(sql`
        select count(distinct player_id)::int as n from redemptions where drop_id = ${dropId}`),
      db.execute<{ status: keyof DeliveryStatus; n: number }>(sql`
        select status, count(*)::int as n from redemptions where drop_id = ${dropId}
        group by status`),
      flagged(db, dropId),
      lastAnchoredCheckpoint(db),
    ]);
  const unanchored = await unanchoredRedemptions(db, dropId, checkpoint?.treeSize ?? 0);

  const startsAt = new Date(drop.starts_at);
  const [{ first, last } = { first: null, last: null }] = span;
  let cumulative = 0;
  const curve =
    first === null || last === null
      ? { bucketSeconds: 1, points: [] }
      : await claimSeries(db, dropId, new Date(first), new Date(last));
  const deliveryStatus: DeliveryStatus = {
    fulfilled: 0,
    awaiting_action: 0,
    expired: 0,
    reversed: 0,
  };
  for (const s of statuses) deliveryStatus[s.status] = Number(s.n);
  const redemptions = Object.values(deliveryStatus).reduce((sum, n) => sum + n, 0);
  const soldOutAt = soldOut[0]?.at;

  return {
    generatedAt: iso(drop.now),
    drop: {
      id: drop.id,
      title: drop.title,
      units,
      remaining: Number(drop.remaining),
      startsAt: startsAt.toISOString(),
      endsAt: iso(drop.ends_at),
      endedEarlyAt: drop.ended_early_at === null ? null : iso(drop.ended_early_at),
      allocation: drop.allocation,
    },
    // The counters are per second: the last unit went within the second that reached the total.
    timeToSellOutSeconds:
      soldOutAt === undefined
        ? null
        : Math.max(
            0,
            Math.round((new Date(soldOutAt).getTime() + 1000 - startsAt.getTime()) / 1000),
          ),
    claimCurve: {
      bucketSeconds: curve.bucketSeconds,
      points: curve.points.map((p) => {
        cumulative += p.claims;
        return { t: p.t.toISOString(), claims: p.claims, cumulative };
      }),
    },
    uniquePlayers: Number(players[0]?.n ?? 0),
    outcomes: outcomeCounts(reasons),
    refusalsByReason: reasons
      .filter((r) => r.reason !== "claimed")
      .map((r) => ({ reason: r.reason, count: Number(r.n) }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    flaggedAccounts,
    anchored: redemptions - unanchored,
    redemptions,
    anchoredShare: redemptions === 0 ? 1 : (redemptions - unanchored) / redemptions,
    deliveryStatus,
  };
}

/**
 * The drop's redemptions whose ledger entry is not covered by the anchored tree size: only the
 * log's unanchored tail is read (two index ranges), then matched to the drop.
 */
async function unanchoredRedemptions(db: DbOrTx, dropId: string, size: number): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from (
      select redemption_id from ledger_entries where kind = 'redemption' and leaf_index is null
      union all
      select redemption_id from ledger_entries where kind = 'redemption' and leaf_index >= ${size}
    ) e join redemptions r on r.id = e.redemption_id
    where r.drop_id = ${dropId}`);
  return Number(row?.n ?? 0);
}

/**
 * Accounts flagged as linked over this drop, and flagged players who hold its units: the few
 * flagged accounts (partial index) each probe the drop's redemptions and their flag events.
 */
async function flagged(db: DbOrTx, dropId: string): Promise<FlaggedAccount[]> {
  const rows = await db.execute<{
    id: string;
    email: string;
    display_name: string;
    flagged_at: string | Date;
    flagged_reason: string | null;
  }>(sql`
    select u.id, u.email, u.display_name, u.flagged_at, u.flagged_reason from users u
    where u.flagged_at is not null and (
      exists (select 1 from audit_events a
              where a.action = 'account_flag' and a.subject = 'user:' || u.id
                and a.data->>'dropId' = ${dropId})
      or exists (select 1 from redemptions r where r.drop_id = ${dropId} and r.player_id = u.id))
    order by u.flagged_at, u.id`);
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    flaggedAt: iso(r.flagged_at),
    flaggedReason: r.flagged_reason,
  }));
}

/** The report as CSV: one section after another, each a header row then its records. */
export function dropReportCsv(report: DropReport): string {
  const section = (title: string, header: string[], rows: Array<Array<string | number | null>>) =>
    [csvRecord([`# ${title}`]), csvRecord(header), ...rows.map(csvRecord), "\r\n"].join("");
  const d = report.drop;
  return [
    section(
      "Summary",
      ["field", "value"],
      [
        ["drop_id", d.id],
        ["title", d.title],
        ["allocation", d.allocation],
        ["units", d.units],
        ["remaining", d.remaining],
        ["starts_at", d.startsAt],
        ["ends_at", d.endsAt],
        ["ended_early_at", d.endedEarlyAt],
        ["time_to_sell_out_seconds", report.timeToSellOutSeconds],
        ["unique_players", report.uniquePlayers],
        ["redemptions", report.redemptions],
        ["anchored", report.anchored],
        ["anchored_share", report.anchoredShare],
        ["generated_at", report.generatedAt],
      ],
    ),
    section(
      `Claim curve (${report.claimCurve.bucketSeconds}-second buckets)`,
      ["bucket_start", "claims", "cumulative"],
      report.claimCurve.points.map((p) => [p.t, p.claims, p.cumulative]),
    ),
    section(
      "Outcomes",
      ["outcome", "count"],
      Object.entries(report.outcomes).map(([k, n]) => [k, n]),
    ),
    section(
      "Refusals by reason",
      ["reason", "count"],
      report.refusalsByReason.map((r) => [r.reason, r.count]),
    ),
    section(
      "Flagged accounts",
      ["user_id", "email", "display_name", "flagged_at", "flagged_reason"],
      report.flaggedAccounts.map((a) => [
        a.id,
        a.email,
        a.displayName,
        a.flaggedAt,
        a.flaggedReason,
      ]),
    ),
    section(
      "Delivery status",
      ["status", "count"],
      Object.entries(report.deliveryStatus).map(([k, n]) => [k, n]),
    ),
  ].join("");
}
