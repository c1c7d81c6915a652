import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { csvRecord } from "@/lib/audit/csv";
import { formatCoins } from "@/lib/wallet/model";
import { REGULATOR_REPORT_COLUMNS, type RegulatorReport, type RegulatorReportRange } from "./model";

/**
 * The regulator's daily figures per region, over UTC days `from`..`to` (both included), each
 * movement counted under the region the player had declared when it happened:
 * - GC sold: Gold Coins credited to players by purchases;
 * - SC granted: free Sweeps Coins credited to players (purchase bonus, daily, mail-in, grants);
 * - SC wagered and won: stakes and payouts of SC rounds;
 * - SC redeemed: SC debited for catalog redemptions, less refunds of rejected ones (on the day
 *   of the refund, so a rejected redemption nets to zero across the two days).
 * Two set-based scans: the journal by wallet_transactions(created_at), rounds by
 * game_rounds(created_at), each read once and grouped in the database.
 */
export async function regulatorReport(
  db: DbOrTx,
  { from, to }: RegulatorReportRange,
): Promise<RegulatorReport> {
  // The day after `to` is reckoned in SQL: JavaScript writes the one after 9999-12-31 as
  // "+010000-01-01", which PostgreSQL does not read.
  const start = sql`(${from}::date)::timestamp at time zone 'UTC'`;
  const end = sql`(${to}::date + 1)::timestamp at time zone 'UTC'`;
  const rows = await db.execute<{
    day: string;
    region: string | null;
    gc_sold: string;
    sc_granted: string;
    sc_wagered: string;
    sc_won: string;
    sc_redeemed: string;
  }>(sql`
    with journal as (
      select to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD') as day,
        coalesce(t.region, '') as region,
        coalesce(sum(p.amount) filter (where t.kind = 'purchase' and p.currency = 'GC'), 0) as gc_sold,
        coalesce(sum(p.amount) filter (where t.kind in ('purchase', 'daily_bonus', 'mail_in', 'grant')
                                        and p.currency = 'SC'), 0) as sc_granted,
        coalesce(-sum(p.amount) filter (where t.kind in ('redemption', 'redemption_refund')
                                         and p.currency = 'SC'), 0) as sc_redeemed,
        -- A round's prize rejected by an admin is paid in coins: the round's winnings after all.
        coalesce(sum(p.amount) filter (where t.kind = 'round_prize_coins'
                                        and p.currency = 'SC'), 0) as sc_prize_coins
      from wallet_transactions t
        join wallet_postings p on p.transaction_id = t.id
        join wallet_accounts a on a.id = p.account_id and a.kind = 'player'
      where t.created_at >= ${start} and t.created_at < ${end}
        and t.kind <> 'round'
      group by 1, 2
    ), rounds as (
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day,
        coalesce(region, '') as region,
        sum(stake) as sc_wagered, sum(payout) as sc_won
      from game_rounds
      where created_at >= ${start} and created_at < ${end}
        and currency = 'SC'
      group by 1, 2
    )
    select coalesce(j.day, r.day) as day, nullif(coalesce(j.region, r.region), '') as region,
      coalesce(j.gc_sold, 0) as gc_sold, coalesce(j.sc_granted, 0) as sc_granted,
      coalesce(r.sc_wagered, 0) as sc_wagered,
      coalesce(r.sc_won, 0) + coalesce(j.sc_prize_coins, 0) as sc_won,
      coalesce(j.sc_redeemed, 0) as sc_redeemed
    -- A player without a declared region is '' inside, so the two sides join on plain equality.
    from journal j full join rounds r on r.day = j.day and r.region = j.region
    order by 1, 2 nulls last`);
  return {
    from,
    to,
    rows: rows.map((r) => ({
      day: r.day,
      region: r.region,
      gcSold: formatCoins(BigInt(r.gc_sold)),
      scGranted: formatCoins(BigInt(r.sc_granted)),
      scWagered: formatCoins(BigInt(r.sc_wagered)),
      scWon: formatCoins(BigInt(r.sc_won)),
      scRedeemed: formatCoins(BigInt(r.sc_redeemed)),
    })),
  };
}

/** The report as CSV: a header line, then a record per region and day. */
export function regulatorReportCsv(report: RegulatorReport): string {
  return [
    csvRecord([...REGULATOR_REPORT_COLUMNS]),
    ...report.rows.map((r) =>
      csvRecord([r.day, r.region ?? "", r.gcSold, r.scGranted, r.scWagered, r.scWon, r.scRedeemed]),
    ),
  ].join("");
}
