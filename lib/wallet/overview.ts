import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { SystemAccountKind } from "./journal";
import type { Currency, WalletTransactionKind } from "./model";

export type AccountTotals = Record<SystemAccountKind | "players", Record<Currency, number>>;

export type RecentTransaction = {
  id: string;
  at: Date;
  kind: WalletTransactionKind;
  player: { id: string; email: string } | null;
  actorEmail: string | null;
  reason: string | null;
  /** The player's side, by currency (minor units, signed). */
  moved: Partial<Record<Currency, number>>;
};

/**
 * A payment the processor confirmed for another amount or currency, or late past a purchase
 * limit: nothing was credited, an admin resolves it.
 */
export type PaymentToReview = {
  id: string;
  at: Date;
  player: { id: string; email: string };
  amountCents: number;
  reason: string | null;
};

/** A payment an admin resolved: credited (succeeded) or closed as refunded at the processor. */
export type ResolvedPayment = PaymentToReview & {
  status: "succeeded" | "refunded";
  reviewedAt: Date;
  reviewerEmail: string | null;
  reviewReason: string | null;
  bonusWithheld: boolean;
};

type PaymentRow = {
  id: string;
  completed_at: string;
  user_id: string;
  email: string;
  amount_cents: string;
  failure_reason: string | null;
  status: "needs_review" | "succeeded" | "refunded";
  reviewed_at: string | null;
  reviewer_email: string | null;
  review_reason: string | null;
  bonus_withheld: boolean;
};

const selectPayments = sql`
  select p.id, p.completed_at, p.user_id, u.email, p.amount_cents, p.failure_reason, p.status,
    p.reviewed_at, reviewer.email as reviewer_email, p.review_reason, p.bonus_withheld
  from payments p join users u on u.id = p.user_id
  left join users reviewer on reviewer.id = p.reviewed_by`;

const toPaymentToReview = (r: PaymentRow): PaymentToReview => ({
  id: r.id,
  at: new Date(r.completed_at),
  player: { id: r.user_id, email: r.email },
  amountCents: Number(r.amount_cents),
  reason: r.failure_reason,
});

/**
 * What an admin watches: each counterparty's balance (the sum of its shards), what players hold
 * in all, the payments waiting for review, the latest resolved, and the latest transactions.
 */
export async function getWalletOverview(
  db: DbOrTx,
  recent = 50,
): Promise<{
  totals: AccountTotals;
  toReview: PaymentToReview[];
  resolved: ResolvedPayment[];
  recent: RecentTransaction[];
}> {
  const zero = () => ({ GC: 0, SC: 0 });
  const totals: AccountTotals = {
    house: zero(),
    promotions: zero(),
    prize_liability: zero(),
    purchases: zero(),
    players: zero(),
  };
  const sums = await db.execute<{ kind: string; currency: Currency; total: string }>(sql`
    select case when kind = 'player' then 'players' else kind::text end as kind, currency,
      sum(balance) as total
    from wallet_accounts group by 1, 2`);
  for (const row of sums) {
    const bucket = totals[row.kind as keyof AccountTotals];
    if (bucket) bucket[row.currency] = Number(row.total);
  }
  const review = await db.execute<PaymentRow>(sql`
    ${selectPayments} where p.status = 'needs_review' order by p.created_at desc limit 100`);
  const resolved = await db.execute<PaymentRow>(sql`
    ${selectPayments} where p.reviewed_at is not null order by p.reviewed_at desc limit 20`);
  const rows = await db.execute<{
    id: string;
    created_at: string;
    kind: WalletTransactionKind;
    user_id: string | null;
    email: string | null;
    actor_email: string | null;
    reason: string | null;
    moved: Record<Currency, string> | null;
  }>(sql`
    select t.id, t.created_at, t.kind, t.user_id, u.email, actor.email as actor_email, t.reason,
      (select jsonb_object_agg(p.currency, p.amount) from (
        select p.currency, sum(p.amount) as amount from wallet_postings p
        join wallet_accounts a on a.id = p.account_id and a.kind = 'player'
        where p.transaction_id = t.id group by p.currency) p) as moved
    from (select * from wallet_transactions order by created_at desc limit ${recent}) t
    left join users u on u.id = t.user_id
    left join users actor on actor.id = t.actor_id
    order by t.created_at desc`);
  return {
    totals,
    toReview: review.map(toPaymentToReview),
    resolved: resolved.map((r) => ({
      ...toPaymentToReview(r),
      // Reviewed: credited (succeeded) or closed as refunded.
      status: r.status === "refunded" ? "refunded" : "succeeded",
      reviewedAt: new Date(String(r.reviewed_at)),
      reviewerEmail: r.reviewer_email,
      reviewReason: r.review_reason,
      bonusWithheld: r.bonus_withheld,
    })),
    recent: rows.map((r) => ({
      id: r.id,
      at: new Date(r.created_at),
      kind: r.kind,
      player: r.user_id && r.email ? { id: r.user_id, email: r.email } : null,
      actorEmail: r.actor_email,
      reason: r.reason,
      moved: Object.fromEntries(
        Object.entries(r.moved ?? {}).map(([c, amount]) => [c, Number(amount)]),
      ),
    })),
  };
}
