import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { csvRecord } from "@/lib/audit/csv";
import type { AllocationMode } from "@/lib/drops/model";
import { AppError } from "@/lib/errors/app-error";
import { lastAnchoredCheckpoint } from "./anchoring-status";
import { claimSeries, outcomeCounts } from "./claim-series";
import {
  type DeliveryStatus,
  type DropReport,
  type DropReportSection,
  dropReportSections,
  dropReportSectionTitles,
  type FlaggedAccount,
  outcomeCategories,
} from "./model";
import { claimReasonLabel } from "./reason-labels";

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
    last_given_at: string | Date | null;
  }>(sql`
    select d.id, d.title, d.units, d.starts_at, d.ends_at, d.ended_early_at, d.allocation,
           now() as now,
           (select count(*)::int from drop_units u
            where u.drop_id = d.id and u.status = 'available') as remaining,
           (select max(r.created_at) from redemptions r where r.drop_id = d.id) as last_given_at
    from drops d where d.id = ${dropId}`);
  if (!drop) throw new AppError("not_found", "No such drop");
  const units = Number(drop.units);

  const [reasons, span, players, statuses, flaggedAccounts, checkpoint] = await Promise.all([
    db.execute<{ reason: string; n: number }>(sql`
        select reason, sum(n)::int as n from claim_outcome_seconds
        where drop_id = ${dropId} group by reason`),
    db.execute<{ first: string | Date | null; last: string | Date | null }>(sql`
        select min(at) as first, max(at) as last from claim_outcome_seconds
        where drop_id = ${dropId}`),
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
  const soldOutAt = soldOutMoment(Number(drop.remaining), drop.last_given_at);

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
    timeToSellOutSeconds:
      soldOutAt === null
        ? null
        : Math.max(0, Math.ceil((soldOutAt.getTime() - startsAt.getTime()) / 1000)),
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
      .map((r) => ({ reason: r.reason, label: claimReasonLabel(r.reason), count: Number(r.n) }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    flaggedAccounts,
    anchored: redemptions - unanchored,
    redemptions,
    anchoredShare: redemptions === 0 ? 1 : (redemptions - unanchored) / redemptions,
    deliveryStatus,
  };
}

/**
 * When the drop became sold out, if it is: every unit given (none available). Claims reaching the
 * drop's units are not enough: an expired claim or a recovered prize gives its unit back (a lost
 * one stays given). A unit becomes given only by a redemption, so the newest one is the moment
 * the last unit went.
 */
function soldOutMoment(remaining: number, lastGivenAt: string | Date | null): Date | null {
  return remaining === 0 && lastGivenAt !== null ? new Date(lastGivenAt) : null;
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

type CsvRow = Array<string | number | null>;

/** Each CSV section's header row and records. */
const sectionTables: Record<
  DropReportSection,
  (report: DropReport) => { header: string[]; rows: CsvRow[] }
> = {
  summary: (report) => {
    const d = report.drop;
    return {
      header: ["field", "value"],
      rows: [
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
        ["units_given", d.units - d.remaining],
        ["sold_out", String(report.timeToSellOutSeconds !== null)],
      ],
    };
  },
  claim_curve: (report) => ({
    header: ["bucket_start", "claims", "cumulative"],
    rows: report.claimCurve.points.map((p) => [p.t, p.claims, p.cumulative]),
  }),
  outcomes: (report) => ({
    header: ["outcome", "count", "label"],
    rows: outcomeCategories.map((k) => [k, report.outcomes[k], claimReasonLabel(k)]),
  }),
  refusals: (report) => ({
    header: ["reason", "count", "label"],
    rows: report.refusalsByReason.map((r) => [r.reason, r.count, r.label]),
  }),
  flagged_accounts: (report) => ({
    header: ["user_id", "email", "display_name", "flagged_at", "flagged_reason"],
    rows: report.flaggedAccounts.map((a) => [
      a.id,
      a.email,
      a.displayName,
      a.flaggedAt,
      a.flaggedReason,
    ]),
  }),
  delivery_status: (report) => ({
    header: ["status", "count"],
    rows: Object.entries(report.deliveryStatus).map(([k, n]) => [k, n]),
  }),
};

/**
 * One section of the report as a CSV file of its own (RFC 4180: a header row, CRLF, quoting;
 * a text cell that a spreadsheet would run as a formula is defused by `csvField`).
 */
export function dropReportSectionCsv(report: DropReport, section: DropReportSection): string {
  const { header, rows } = sectionTables[section](report);
  return [csvRecord(header), ...rows.map(csvRecord)].join("");
}

/**
 * Every section in one file, each after a `# title` line: the older export, kept for API
 * clients; a spreadsheet reads the per-section files.
 */
export function dropReportCsv(report: DropReport): string {
  return dropReportSections
    .map((section) => {
      const title =
        section === "claim_curve"
          ? `Claim curve (${report.claimCurve.bucketSeconds}-second buckets)`
          : dropReportSectionTitles[section];
      return `${csvRecord([`# ${title}`])}${dropReportSectionCsv(report, section)}\r\n`;
    })
    .join("");
}
