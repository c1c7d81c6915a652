import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import { formatCoins } from "@/lib/wallet/model";

/**
 * Responsible-gaming checks before coins are sold or given: a running cool-off or
 * self-exclusion refuses, and so does a purchase that would pass one of the player's own limits
 * (rolling windows: a day is the last 24 hours, a week 7 days, a month 30). What counts is what
 * may have been charged: payments pending, paid, or paid for another amount (needs_review); not
 * failed, expired or refunded ones. Call inside the
 * transaction that writes the payment, with the player's row locked, so that two purchases at
 * once cannot both fit under the same limit.
 */

export type ActiveExclusion = { kind: "cool_off" | "self_exclusion"; endsAt: Date | null };

export async function findActiveExclusion(
  db: DbOrTx,
  userId: string,
  now: Date,
): Promise<ActiveExclusion | undefined> {
  const at = now.toISOString();
  const [row] = await db.execute<{ kind: ActiveExclusion["kind"]; ends_at: string | null }>(sql`
    select kind, ends_at from rg_exclusions
    where user_id = ${userId} and starts_at <= ${at}::timestamptz and (ends_at is null or ends_at > ${at}::timestamptz)
    order by ends_at desc nulls first limit 1`);
  return row ? { kind: row.kind, endsAt: row.ends_at ? new Date(row.ends_at) : null } : undefined;
}

/** The refusal for a running exclusion: which one, and until when. */
export function exclusionRefusal(exclusion: ActiveExclusion): AppError {
  const what = exclusion.kind === "cool_off" ? "a cool-off" : "a self-exclusion";
  const until = exclusion.endsAt
    ? `until ${exclusion.endsAt.toISOString().slice(0, 16).replace("T", " ")} UTC`
    : "permanently";
  return new AppError("self_excluded", `You are in ${what} ${until}`);
}

export async function refuseIfExcluded(db: DbOrTx, userId: string, now: Date): Promise<void> {
  const exclusion = await findActiveExclusion(db, userId, now);
  if (exclusion) throw exclusionRefusal(exclusion);
}

const PERIOD_LABELS: Record<string, string> = { day: "daily", week: "weekly", month: "monthly" };

/** Refuses a purchase of `amountCents` that an exclusion or a purchase limit forbids. */
export async function checkPurchaseAllowed(
  db: DbOrTx,
  userId: string,
  amountCents: number,
  now: Date,
): Promise<void> {
  await refuseIfExcluded(db, userId, now);
  const at = now.toISOString();
  const rows = await db.execute<{ period: string; cap: string; spent: string }>(sql`
    select l.period, l.cap, (
      select coalesce(sum(p.amount_cents), 0) from payments p
      where p.user_id = ${userId} and p.status in ('pending', 'succeeded', 'needs_review')
        and p.created_at > ${at}::timestamptz - case l.period
          when 'day' then interval '24 hours' when 'week' then interval '7 days'
          else interval '30 days' end
    ) as spent
    from (
      select period, case when pending_from is not null and pending_from <= ${at}::timestamptz
        then pending_amount else amount end as cap
      from rg_limits where user_id = ${userId} and kind = 'purchase'
    ) l
    where l.cap is not null`);
  for (const row of rows) {
    const cap = Number(row.cap);
    const spent = Number(row.spent);
    if (spent + amountCents > cap) {
      throw new AppError(
        "limit_reached",
        `This purchase would pass your ${PERIOD_LABELS[row.period] ?? row.period} purchase limit of $${formatCoins(cap)} ($${formatCoins(spent)} spent)`,
        { reason: `limit_reached:purchase_${row.period}` },
      );
    }
  }
}

/**
 * Which purchase limit a payment that stopped counting (failed or expired) would pass, were it
 * paid after all: the most any rolling window holding its creation time took with it, counting
 * every other payment that may have been charged, against the limit in force at `now`. Other
 * purchases were let in while this one did not count, so a late success can pass a limit the
 * player set; null when it fits. Call with the player's row locked.
 */
export async function purchaseLimitPassedBy(
  db: DbOrTx,
  payment: { id: string; userId: string; amountCents: number; createdAt: Date },
  now: Date,
): Promise<string | null> {
  const at = now.toISOString();
  const created = payment.createdAt.toISOString();
  // A window (t - length, t] holds the payment when t is in [created, created + length); its sum
  // is largest at t = created or at another payment's time, so only those ends are tried.
  const rows = await db.execute<{ period: string; cap: string; spent: string }>(sql`
    with others as (
      select p.created_at, p.amount_cents from payments p
      where p.user_id = ${payment.userId} and p.id <> ${payment.id}
        and p.status in ('pending', 'succeeded', 'needs_review')
        and p.created_at > ${created}::timestamptz - interval '30 days'
        and p.created_at < ${created}::timestamptz + interval '30 days'
    ), limits as (
      select period, case period when 'day' then interval '24 hours'
          when 'week' then interval '7 days' else interval '30 days' end as length,
        case when pending_from is not null and pending_from <= ${at}::timestamptz
          then pending_amount else amount end as cap
      from rg_limits where user_id = ${payment.userId} and kind = 'purchase'
    )
    select l.period, l.cap, (
      select max((select coalesce(sum(o.amount_cents), 0) from others o
        where o.created_at > e.t - l.length and o.created_at <= e.t))
      from (
        select ${created}::timestamptz as t
        union select created_at from others
        where created_at > ${created}::timestamptz
          and created_at < ${created}::timestamptz + l.length
      ) e
    ) as spent
    from limits l where l.cap is not null
    order by l.length`);
  for (const row of rows) {
    if (Number(row.spent) + payment.amountCents > Number(row.cap)) {
      const label = PERIOD_LABELS[row.period] ?? row.period;
      return `paid late, it would pass the player's ${label} purchase limit of $${formatCoins(Number(row.cap))} ($${formatCoins(Number(row.spent))} other)`;
    }
  }
  return null;
}
