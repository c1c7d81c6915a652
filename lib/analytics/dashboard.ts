import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { PrizeKind } from "@/lib/prizes/model";
import { anchoringStatus } from "./anchoring-status";
import { bucketMidpointMs } from "./claim-counters";
import { claimSeries, outcomeCounts } from "./claim-series";
import type { DashboardSnapshot, LatencySummary, LiveDrop } from "./model";

const LATENCY_WINDOW_SECONDS = 300;
const TOP_REGIONS = 10;
const TOP_PRIZES = 10;

type Reasons = Array<{ reason: string; n: number }>;

/**
 * Everything the live dashboard shows, read from the rollups (claim answers per second and
 * minute, the latency histogram, held redemptions by prize, region and hour) and small index
 * ranges; no query reads the redemptions or the audit trail row by row.
 */
export async function getDashboard(db: DbOrTx): Promise<DashboardSnapshot> {
  const [{ now } = { now: new Date() }] = await db.execute<{ now: string | Date }>(
    sql`select now() as now`,
  );
  const at = new Date(now);
  const [claimsPerSecond, liveDrops, outcomeMix, latency, deliveryTime, anchoring, held] =
    await Promise.all([
      claimsPerSecondSeries(db, at),
      liveDropsAt(db, at),
      outcomeMixAt(db, at),
      latencyAt(db, at),
      deliveryTimeAt(db, at),
      anchoringStatus(db),
      heldRedemptions(db),
    ]);
  return {
    at: at.toISOString(),
    claimsPerSecond,
    liveDrops,
    outcomeMix,
    latency,
    deliveryTime,
    anchoring,
    ...held,
  };
}

const second = (at: Date) => new Date(Math.floor(at.getTime() / 1000) * 1000);

export async function claimsPerSecondSeries(
  db: DbOrTx,
  at: Date,
): Promise<DashboardSnapshot["claimsPerSecond"]> {
  const end = second(at);
  const start = new Date(end.getTime() - 59_000);
  const rows = await db.execute<{ t: string | Date; claimed: number; attempts: number }>(sql`
    select at as t, (sum(n) filter (where reason = 'claimed'))::int as claimed, sum(n)::int as attempts
    from claim_outcome_seconds
    where at >= ${start.toISOString()}::timestamptz and at <= ${end.toISOString()}::timestamptz
    group by at`);
  const byT = new Map(rows.map((r) => [new Date(r.t).getTime(), r]));
  const series = Array.from({ length: 60 }, (_, k) => {
    const t = start.getTime() + k * 1000;
    const row = byT.get(t);
    return {
      t: new Date(t).toISOString(),
      claimed: Number(row?.claimed ?? 0),
      attempts: Number(row?.attempts ?? 0),
    };
  });
  // The current second is still filling: the rate is over the 10 whole seconds before it.
  const lastTen = series.slice(-11, -1).reduce((sum, p) => sum + p.claimed, 0);
  return { series, current: lastTen / 10 };
}

export async function liveDropsAt(db: DbOrTx, at: Date): Promise<LiveDrop[]> {
  const drops = await db.execute<{
    id: string;
    title: string;
    units: number;
    starts_at: string | Date;
    ends_at: string | Date;
    paused: boolean;
    remaining: number;
  }>(sql`
    select d.id, d.title, d.units, d.starts_at, d.ends_at, d.paused_at is not null as paused,
           (select count(*)::int from drop_units u
            where u.drop_id = d.id and u.status = 'available') as remaining
    from drops d
    where d.ends_at > ${at.toISOString()}::timestamptz and d.starts_at <= ${at.toISOString()}::timestamptz
    order by d.starts_at, d.id`);
  return Promise.all(
    drops.map(async (d) => {
      const startsAt = new Date(d.starts_at);
      const series = await claimSeries(db, d.id, startsAt, at);
      let remaining = Number(d.units);
      const burnDown = series.points.map((p) => {
        remaining = Math.max(0, remaining - p.claims);
        return { t: p.t.toISOString(), remaining };
      });
      return {
        id: d.id,
        title: d.title,
        units: Number(d.units),
        remaining: Number(d.remaining),
        startsAt: startsAt.toISOString(),
        endsAt: new Date(d.ends_at).toISOString(),
        paused: d.paused,
        burnDown,
        bucketSeconds: series.bucketSeconds,
      };
    }),
  );
}

/** The windows the outcome mix is shown over: the last 5 minutes, and since midnight UTC. */
function outcomeWindows(at: Date): { fiveMinutesAgo: Date; midnight: Date } {
  return {
    fiveMinutesAgo: new Date(second(at).getTime() - 299_000),
    midnight: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate())),
  };
}

export async function outcomeMixAt(db: DbOrTx, at: Date): Promise<DashboardSnapshot["outcomeMix"]> {
  const { fiveMinutesAgo, midnight } = outcomeWindows(at);
  const [recent, today] = await Promise.all([
    db.execute<{ reason: string; n: number }>(sql`
      select reason, sum(n)::int as n from claim_outcome_seconds
      where at >= ${fiveMinutesAgo.toISOString()}::timestamptz group by reason`),
    db.execute<{ reason: string; n: number }>(sql`
      select reason, sum(n)::int as n from claim_outcome_minutes
      where at >= ${midnight.toISOString()}::timestamptz group by reason`),
  ]);
  return { last5Minutes: outcomeCounts(recent as Reasons), today: outcomeCounts(today as Reasons) };
}

/** Percentiles from the histogram: the middle of the bucket the rank falls in. */
export function percentiles(buckets: Array<{ bucket: number; n: number }>): {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  samples: number;
} {
  const sorted = [...buckets].sort((a, b) => a.bucket - b.bucket);
  const samples = sorted.reduce((sum, b) => sum + b.n, 0);
  const at = (q: number) => {
    if (samples === 0) return null;
    const rank = Math.ceil(q * samples);
    let seen = 0;
    for (const b of sorted) {
      seen += b.n;
      if (seen >= rank) return Math.round(bucketMidpointMs(b.bucket) * 10) / 10;
    }
    return null;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), samples };
}

export async function latencyAt(db: DbOrTx, at: Date): Promise<LatencySummary> {
  const from = new Date(second(at).getTime() - (LATENCY_WINDOW_SECONDS - 1) * 1000);
  const rows = await db.execute<{ bucket: number; n: number }>(sql`
    select bucket, sum(n)::int as n from claim_latency_seconds
    where at >= ${from.toISOString()}::timestamptz group by bucket`);
  return {
    ...percentiles(rows.map((r) => ({ bucket: Number(r.bucket), n: Number(r.n) }))),
    windowSeconds: LATENCY_WINDOW_SECONDS,
  };
}

/**
 * Claim → delivered over the outcome mix's windows: exact percentiles over the deliveries that
 * arrived in them, an index range on deliveries.delivered_at (a day of deliveries at most).
 */
export async function deliveryTimeAt(
  db: DbOrTx,
  at: Date,
): Promise<DashboardSnapshot["deliveryTime"]> {
  const { fiveMinutesAgo, midnight } = outcomeWindows(at);
  const recent = fiveMinutesAgo.toISOString();
  const today = midnight.toISOString();
  const [row] = await db.execute<{
    p50_recent: number | null;
    p99_recent: number | null;
    n_recent: number;
    p50_today: number | null;
    p99_today: number | null;
    n_today: number;
  }>(sql`
    with delivered as (
      select d.delivered_at, extract(epoch from d.delivered_at - r.created_at) * 1000 as ms
      from deliveries d join redemptions r on r.id = d.redemption_id
      where d.delivered_at >= least(${recent}::timestamptz, ${today}::timestamptz)
        and d.delivered_at <= ${at.toISOString()}::timestamptz)
    select
      percentile_cont(0.5) within group (order by ms)
        filter (where delivered_at >= ${recent}::timestamptz) as p50_recent,
      percentile_cont(0.99) within group (order by ms)
        filter (where delivered_at >= ${recent}::timestamptz) as p99_recent,
      (count(*) filter (where delivered_at >= ${recent}::timestamptz))::int as n_recent,
      percentile_cont(0.5) within group (order by ms)
        filter (where delivered_at >= ${today}::timestamptz) as p50_today,
      percentile_cont(0.99) within group (order by ms)
        filter (where delivered_at >= ${today}::timestamptz) as p99_today,
      (count(*) filter (where delivered_at >= ${today}::timestamptz))::int as n_today
    from delivered`);
  const ms = (v: number | string | null | undefined) =>
    v === null || v === undefined ? null : Math.round(Number(v));
  return {
    last5Minutes: {
      p50: ms(row?.p50_recent),
      p99: ms(row?.p99_recent),
      samples: Number(row?.n_recent ?? 0),
    },
    today: { p50: ms(row?.p50_today), p99: ms(row?.p99_today), samples: Number(row?.n_today ?? 0) },
  };
}

type Held = Pick<DashboardSnapshot, "redemptionsByKind" | "byHourOfDay" | "byRegion" | "topPrizes">;

/** One pass over the held-redemption counters, grouped three ways. */
export async function heldRedemptions(db: DbOrTx): Promise<Held> {
  const rows = await db.execute<{
    prize_id: string | null;
    region: string | null;
    hour: number | null;
    n: number;
  }>(sql`
    select prize_id, region, hour, sum(n)::int as n from redemption_counts
    group by grouping sets ((prize_id), (region), (hour))
    having sum(n) <> 0`);
  const byPrize = rows.filter((r) => r.prize_id !== null);
  const prizes = byPrize.length
    ? await db.execute<{ id: string; name: string; kind: PrizeKind }>(sql`
        select id, name, kind from prizes
        where id = any(${sql.param(byPrize.map((r) => r.prize_id))}::uuid[])`)
    : [];
  const prizeById = new Map(prizes.map((p) => [p.id, p]));
  const kinds = new Map<PrizeKind, number>();
  const perPrize = byPrize.flatMap((r) => {
    const prize = prizeById.get(r.prize_id as string);
    if (!prize) return [];
    kinds.set(prize.kind, (kinds.get(prize.kind) ?? 0) + Number(r.n));
    return [{ prizeId: prize.id, name: prize.name, kind: prize.kind, count: Number(r.n) }];
  });
  const byHourOfDay = new Array<number>(24).fill(0);
  for (const r of rows) if (r.hour !== null) byHourOfDay[Number(r.hour)] = Number(r.n);
  const largestFirst = <T extends { count: number }>(a: T, b: T) => b.count - a.count;
  return {
    redemptionsByKind: [...kinds].map(([kind, count]) => ({ kind, count })).sort(largestFirst),
    byHourOfDay,
    byRegion: rows
      .filter((r) => r.region !== null)
      .map((r) => ({ region: r.region as string, count: Number(r.n) }))
      .sort((a, b) => largestFirst(a, b) || a.region.localeCompare(b.region))
      .slice(0, TOP_REGIONS),
    topPrizes: perPrize
      .sort((a, b) => largestFirst(a, b) || a.name.localeCompare(b.name))
      .slice(0, TOP_PRIZES),
  };
}
