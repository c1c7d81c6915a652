import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { OutcomeCategory, OutcomeCounts } from "./model";

/** Bucket widths a chart can use; the smallest that keeps a span within MAX_POINTS is taken. */
const BUCKET_SECONDS = [1, 5, 10, 30, 60, 300, 900, 3600, 21_600, 86_400, 604_800];
const MAX_POINTS = 300;

export function bucketSecondsFor(spanMs: number): number {
  const span = Math.max(1, spanMs / 1000);
  return BUCKET_SECONDS.find((b) => span / b <= MAX_POINTS) ?? (BUCKET_SECONDS.at(-1) as number);
}

export function outcomeCategory(reason: string): OutcomeCategory {
  if (reason.startsWith("not_eligible")) return "not_eligible";
  switch (reason) {
    case "claimed":
    case "sold_out":
    case "rate_limited":
    case "limit_reached":
      return reason;
    default:
      return "other";
  }
}

/** Claim answers per reason, grouped as the dashboard shows them. */
export function outcomeCounts(rows: Array<{ reason: string; n: number }>): OutcomeCounts {
  const counts: OutcomeCounts = {
    claimed: 0,
    sold_out: 0,
    not_eligible: 0,
    rate_limited: 0,
    limit_reached: 0,
    other: 0,
  };
  for (const { reason, n } of rows) counts[outcomeCategory(reason)] += Number(n);
  return counts;
}

export type ClaimSeries = { bucketSeconds: number; points: Array<{ t: Date; claims: number }> };

/**
 * A drop's claims per bucket from `from` to `to`, zeros included, at most ~300 buckets: read from
 * the per-second counters, or the per-minute ones once buckets are a minute or wider.
 */
export async function claimSeries(
  db: DbOrTx,
  dropId: string,
  from: Date,
  to: Date,
): Promise<ClaimSeries> {
  const bucketSeconds = bucketSecondsFor(to.getTime() - from.getTime());
  const perMinute = bucketSeconds >= 60;
  const bucketMs = bucketSeconds * 1000;
  const start = new Date(
    Math.floor(from.getTime() / (perMinute ? 60_000 : 1000)) * (perMinute ? 60_000 : 1000),
  );
  const table = perMinute ? sql`claim_outcome_minutes` : sql`claim_outcome_seconds`;
  const rows = await db.execute<{ t: string | Date; n: number }>(sql`
    select date_bin(make_interval(secs => ${bucketSeconds}), at, ${start.toISOString()}::timestamptz) as t,
           sum(n)::int as n
    from ${table}
    where drop_id = ${dropId} and reason = 'claimed'
      and at >= ${start.toISOString()}::timestamptz and at <= ${to.toISOString()}::timestamptz
    group by 1`);
  const byBucket = new Map(rows.map((r) => [new Date(r.t).getTime(), Number(r.n)]));
  const points: ClaimSeries["points"] = [];
  for (let t = start.getTime(); t <= to.getTime(); t += bucketMs) {
    points.push({ t: new Date(t), claims: byBucket.get(t) ?? 0 });
  }
  return { bucketSeconds, points };
}
