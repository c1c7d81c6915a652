import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";

/**
 * The journal checked against itself, each rule as one set-based query (a scan per table, not a
 * query per account), so that it runs over millions of postings. Read in one repeatable-read
 * snapshot by the caller when the journal is live, so that a transaction committing meanwhile is
 * seen whole or not at all.
 */

export type WalletBreak = { rule: string; count: number; samples: string[] };

export type WalletAudit = {
  transactions: number;
  postings: number;
  accounts: number;
  rounds: number;
  breaks: WalletBreak[];
};

const SAMPLES = 5;

/** Each rule: what it says, and a query answering one text row per break. */
const RULES: Array<{ rule: string; query: ReturnType<typeof sql> }> = [
  {
    rule: "transactions whose postings do not sum to zero in a currency",
    query: sql`
      select transaction_id || ' ' || currency || ' sums to ' || sum(amount) as item
      from wallet_postings group by transaction_id, currency having sum(amount) <> 0`,
  },
  {
    rule: "postings in another currency than their account's",
    query: sql`
      select p.id::text as item from wallet_postings p
      join wallet_accounts a on a.id = p.account_id where a.currency <> p.currency`,
  },
  {
    rule: "accounts whose balance or playthrough is not the sum of their postings",
    query: sql`
      select a.id || ' (' || a.kind || ' ' || a.currency || '): balance ' || a.balance
        || ' vs ' || coalesce(s.amount, 0) || ', playthrough ' || a.playthrough_due
        || ' vs ' || coalesce(s.playthrough, 0) as item
      from wallet_accounts a
      left join (
        select account_id, sum(amount) as amount, sum(playthrough) as playthrough
        from wallet_postings group by account_id
      ) s on s.account_id = a.id
      where a.balance <> coalesce(s.amount, 0) or a.playthrough_due <> coalesce(s.playthrough, 0)`,
  },
  {
    rule: "player balances below zero",
    query: sql`
      select id || ' (' || currency || '): ' || balance as item
      from wallet_accounts where kind = 'player' and balance < 0`,
  },
  {
    rule: "player playthrough outside [0, balance]",
    query: sql`
      select id || ' (' || currency || '): ' || playthrough_due || ' of ' || balance as item
      from wallet_accounts
      where kind = 'player' and (playthrough_due < 0 or playthrough_due > balance)`,
  },
  {
    rule: "rounds without their wallet transaction, or whose postings are not stake and payout",
    query: sql`
      select r.id || ': ' || case when t.id is null then 'no transaction'
        else 'player moved ' || coalesce(m.net, 0) || ', expected ' || (r.payout - r.stake) end
        as item
      from game_rounds r
      left join wallet_transactions t on t.id = r.id and t.kind = 'round'
      left join (
        select p.transaction_id, a.user_id, a.currency, sum(p.amount) as net
        from wallet_postings p
        join wallet_accounts a on a.id = p.account_id and a.kind = 'player'
        join wallet_transactions rt on rt.id = p.transaction_id and rt.kind = 'round'
        group by p.transaction_id, a.user_id, a.currency
      ) m on m.transaction_id = r.id and m.user_id = r.user_id and m.currency = r.currency
      where t.id is null or coalesce(m.net, 0) <> r.payout - r.stake`,
  },
  {
    rule: "round transactions without their round",
    query: sql`
      select t.id::text as item from wallet_transactions t
      where t.kind = 'round' and not exists (select 1 from game_rounds r where r.id = t.id)`,
  },
];

export async function auditWallet(db: DbOrTx): Promise<WalletAudit> {
  const [counts] = await db.execute<{
    transactions: string;
    postings: string;
    accounts: string;
    rounds: string;
  }>(sql`select
    (select count(*) from wallet_transactions) as transactions,
    (select count(*) from wallet_postings) as postings,
    (select count(*) from wallet_accounts) as accounts,
    (select count(*) from game_rounds) as rounds`);
  const breaks: WalletBreak[] = [];
  for (const { rule, query } of RULES) {
    const [row] = await db.execute<{ count: string; samples: string[] | null }>(sql`
      select count(*) as count, (array_agg(item))[1:${SAMPLES}] as samples
      from (${query}) breaks`);
    const count = Number(row?.count ?? 0);
    if (count > 0) breaks.push({ rule, count, samples: row?.samples ?? [] });
  }
  return {
    transactions: Number(counts?.transactions ?? 0),
    postings: Number(counts?.postings ?? 0),
    accounts: Number(counts?.accounts ?? 0),
    rounds: Number(counts?.rounds ?? 0),
    breaks,
  };
}
