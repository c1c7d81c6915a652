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
 * What an admin watches: each counterparty's balance (the sum of its shards), what players hold
 * in all, and the latest transactions.
 */
export async function getWalletOverview(
  db: DbOrTx,
  recent = 50,
): Promise<{ totals: AccountTotals; recent: RecentTransaction[] }> {
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
