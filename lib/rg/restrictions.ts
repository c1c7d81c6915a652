import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import {
  exclusionMessage,
  RG_PERIOD_MS,
  type RgExclusionKind,
  type RgLimitKind,
  type RgPeriod,
} from "./model";

export type ActiveExclusion = { kind: RgExclusionKind; startsAt: Date; endsAt: Date | null };

/** A limit in force: the pending amount once its 24 hours have passed, else the amount. */
export type EffectiveLimit = { kind: RgLimitKind; period: RgPeriod; amount: number };

export type Restrictions = {
  /** The exclusion in force that ends last (a permanent one wins); null when none. */
  exclusion: ActiveExclusion | null;
  /** Only the limits that limit something now. */
  limits: EffectiveLimit[];
};

export type LimitRow = {
  amount: number | null;
  pendingAmount: number | null;
  pendingFrom: Date | null;
};

/** The amount in force at `now` (null: no limit). */
export function effectiveLimit(row: LimitRow, now: Date): number | null {
  return row.pendingFrom !== null && row.pendingFrom.getTime() <= now.getTime()
    ? row.pendingAmount
    : row.amount;
}

/**
 * The exclusions and limits in force at `now` for several players, read in two statements so a
 * batch of rounds or purchases checks them at once. Every player asked for is in the answer.
 */
export async function activeRestrictions(
  db: DbOrTx,
  userIds: readonly string[],
  now: Date,
): Promise<Map<string, Restrictions>> {
  const ids = [...new Set(userIds)];
  const result = new Map<string, Restrictions>(
    ids.map((id) => [id, { exclusion: null, limits: [] }]),
  );
  if (ids.length === 0) return result;
  // `now` has milliseconds, the database's clock microseconds: an exclusion starting in this very
  // millisecond (a cool-off taken a moment ago) is in force, not still to come.
  const at = now.toISOString();
  const exclusions = await db.execute<{
    user_id: string;
    kind: RgExclusionKind;
    starts_at: string;
    ends_at: string | null;
  }>(sql`
    select distinct on (user_id) user_id, kind, starts_at, ends_at from rg_exclusions
    where user_id = any(${sql.param(ids)}::uuid[])
      and date_trunc('milliseconds', starts_at) <= ${at}::timestamptz
      and (ends_at is null or ends_at > ${at}::timestamptz)
    order by user_id, ends_at desc nulls first`);
  for (const e of exclusions) {
    const entry = result.get(e.user_id);
    if (entry) {
      entry.exclusion = {
        kind: e.kind,
        startsAt: new Date(e.starts_at),
        endsAt: e.ends_at === null ? null : new Date(e.ends_at),
      };
    }
  }
  const limits = await db.execute<{
    user_id: string;
    kind: RgLimitKind;
    period: RgPeriod;
    amount: string | null;
    pending_amount: string | null;
    pending_from: string | null;
  }>(sql`
    select user_id, kind, period, amount, pending_amount, pending_from from rg_limits
    where user_id = any(${sql.param(ids)}::uuid[])`);
  for (const l of limits) {
    const amount = effectiveLimit(
      {
        amount: l.amount === null ? null : Number(l.amount),
        pendingAmount: l.pending_amount === null ? null : Number(l.pending_amount),
        pendingFrom: l.pending_from === null ? null : new Date(l.pending_from),
      },
      now,
    );
    if (amount !== null)
      result.get(l.user_id)?.limits.push({ kind: l.kind, period: l.period, amount });
  }
  return result;
}

/** Refuses with self_excluded (saying which exclusion and until when) if one is in force. */
export async function assertNotExcluded(db: DbOrTx, userId: string, now: Date): Promise<void> {
  const { exclusion } = (await activeRestrictions(db, [userId], now)).get(userId) ?? {};
  if (exclusion) {
    throw new AppError("self_excluded", exclusionMessage(exclusion));
  }
}

export type LimitUsage = Record<RgLimitKind, Record<RgPeriod, number>>;

/**
 * What each limit's rolling window holds at `now`: the stakes of rounds per currency, and the
 * purchases that may have been charged, as checkPurchaseAllowed counts them: pending, paid or
 * under review (a failed, expired or refunded one spent nothing).
 */
export async function limitUsage(db: DbOrTx, userId: string, now: Date): Promise<LimitUsage> {
  const since = (period: RgPeriod) => new Date(now.getTime() - RG_PERIOD_MS[period]).toISOString();
  const [day, week, month, at] = [since("day"), since("week"), since("month"), now.toISOString()];
  const [row] = await db.execute<Record<string, string>>(sql`
    select
      coalesce(sum(stake) filter (where currency = 'GC' and created_at > ${day}::timestamptz), 0) as wager_gc_day,
      coalesce(sum(stake) filter (where currency = 'GC' and created_at > ${week}::timestamptz), 0) as wager_gc_week,
      coalesce(sum(stake) filter (where currency = 'GC'), 0) as wager_gc_month,
      coalesce(sum(stake) filter (where currency = 'SC' and created_at > ${day}::timestamptz), 0) as wager_sc_day,
      coalesce(sum(stake) filter (where currency = 'SC' and created_at > ${week}::timestamptz), 0) as wager_sc_week,
      coalesce(sum(stake) filter (where currency = 'SC'), 0) as wager_sc_month,
      (select coalesce(sum(amount_cents) filter (where created_at > ${day}::timestamptz), 0)
        from payments p where p.user_id = ${userId} and p.status in ('pending', 'succeeded', 'needs_review')
          and p.created_at > ${month}::timestamptz and p.created_at <= ${at}::timestamptz) as purchase_day,
      (select coalesce(sum(amount_cents) filter (where created_at > ${week}::timestamptz), 0)
        from payments p where p.user_id = ${userId} and p.status in ('pending', 'succeeded', 'needs_review')
          and p.created_at > ${month}::timestamptz and p.created_at <= ${at}::timestamptz) as purchase_week,
      (select coalesce(sum(amount_cents), 0)
        from payments p where p.user_id = ${userId} and p.status in ('pending', 'succeeded', 'needs_review')
          and p.created_at > ${month}::timestamptz and p.created_at <= ${at}::timestamptz) as purchase_month
    from game_rounds
    where user_id = ${userId} and created_at > ${month}::timestamptz and created_at <= ${at}::timestamptz`);
  const n = (key: string) => Number(row?.[key] ?? 0);
  return {
    purchase: { day: n("purchase_day"), week: n("purchase_week"), month: n("purchase_month") },
    wager_gc: { day: n("wager_gc_day"), week: n("wager_gc_week"), month: n("wager_gc_month") },
    wager_sc: { day: n("wager_sc_day"), week: n("wager_sc_week"), month: n("wager_sc_month") },
  };
}
