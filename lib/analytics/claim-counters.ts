import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";

export type ClaimAnswer = {
  /** "claimed" or the refusal reason, as the audit trail records it. */
  reason: string;
  /** Milliseconds since the request arrived, when known (lottery grants have no request). */
  latencyMs: number | null;
  /** The redemption a granted claim inserted in this transaction. */
  redemptionId: string | null;
};

/** Histogram bucket of a latency: bucket b holds [2^(b/4), 2^((b+1)/4)) ms; under 1 ms is 0. */
export function latencyBucket(ms: number): number {
  return ms < 1 ? 0 : Math.min(32_000, Math.floor(4 * Math.log2(ms)));
}

/** The middle of a bucket (geometric), what a percentile falling in it is reported as. */
export function bucketMidpointMs(bucket: number): number {
  return 2 ** ((bucket + 0.5) / 4);
}

/**
 * Counts a claim batch's answers, latencies and new redemptions, in the batch's transaction, with
 * one statement at its end (hot counter rows stay locked only until the commit that follows):
 * increments per (drop, second, reason), per minute, per latency bucket and per held-redemption
 * key (prize, region, hour; expiries and reversals move those by a trigger). Upserts add, so
 * concurrent batches never lose a count; rows are upserted in key order so two batches lock them
 * alike. The engine then notifies the dashboards (delivered at commit).
 */
export async function recordClaimAnswers(
  tx: Tx,
  dropId: string,
  answers: ClaimAnswer[],
): Promise<void> {
  if (answers.length === 0) return;
  const buckets = answers.flatMap((a) =>
    a.latencyMs === null ? [] : [latencyBucket(a.latencyMs)],
  );
  await tx.execute(sql`
    with answers as (
      select r as reason, count(*)::int as n
      from unnest(${sql.param(answers.map((a) => a.reason))}::text[]) as t(r)
      group by r
    ), per_second as (
      insert into claim_outcome_seconds (drop_id, at, reason, n)
      select ${dropId}::uuid, date_trunc('second', now()), reason, n from answers order by reason
      on conflict (drop_id, at, reason) do update set n = claim_outcome_seconds.n + excluded.n
    ), per_minute as (
      insert into claim_outcome_minutes (drop_id, at, reason, n)
      select ${dropId}::uuid, date_trunc('minute', now()), reason, n from answers order by reason
      on conflict (drop_id, at, reason) do update set n = claim_outcome_minutes.n + excluded.n
    ), held as (
      insert into redemption_counts (prize_id, region, hour, n)
      select prize_id, coalesce(region, '??'), extract(hour from created_at at time zone 'UTC')::smallint,
             count(*)::int
      from redemptions
      where id = any(${sql.param(answers.flatMap((a) => (a.redemptionId ? [a.redemptionId] : [])))}::uuid[])
      group by 1, 2, 3 order by 1, 2, 3
      on conflict (prize_id, region, hour) do update set n = redemption_counts.n + excluded.n
    ), latency as (
      insert into claim_latency_seconds (at, bucket, n)
      select date_trunc('second', now()), b, count(*)::int
      from unnest(${sql.param(buckets)}::smallint[]) as t(b)
      group by b order by b
      on conflict (at, bucket) do update set n = claim_latency_seconds.n + excluded.n
    )
    select 1`);
}
