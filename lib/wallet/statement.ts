import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { csvRecord } from "@/lib/audit/csv";
import {
  type Currency,
  formatCoins,
  type StatementFilter,
  type StatementLine,
  type StatementPage,
  transactionKindLabels,
  type WalletTransactionKind,
} from "./model";

type Row = {
  id: string;
  created_at: string;
  kind: WalletTransactionKind;
  reason: string | null;
  package_name: string | null;
  game: string | null;
  currency: Currency;
  amount: string;
  balance_after: string;
};

function describeLine(row: Row): string {
  if (row.kind === "purchase" && row.package_name) return `Bought the ${row.package_name} package`;
  if (row.kind === "round" && row.game) return `${row.game} round`;
  if (row.kind === "grant" && row.reason) return `Grant: ${row.reason}`;
  if (row.kind === "daily_bonus") return "Daily free Sweeps Coins";
  return row.reason ?? transactionKindLabels[row.kind];
}

function conditions(userId: string, filter: StatementFilter, cursor?: number): SQL {
  const parts: SQL[] = [sql`a.kind = 'player' and a.user_id = ${userId}`];
  if (filter.currency) parts.push(sql`p.currency = ${filter.currency}::currency`);
  if (filter.kind) parts.push(sql`t.kind = ${filter.kind}::wallet_transaction_kind`);
  if (filter.from) parts.push(sql`p.created_at >= ${filter.from}::date`);
  if (filter.to) parts.push(sql`p.created_at < ${filter.to}::date + 1`);
  if (cursor !== undefined) parts.push(sql`p.id < ${cursor}`);
  return sql.join(parts, sql` and `);
}

/**
 * A player's postings, newest first, keyset-paginated by posting id. Each line carries its
 * account's balance right after it: the balance now, less what later postings moved (read in
 * the same statement, so the two agree whatever commits meanwhile).
 */
export async function listStatement(
  db: DbOrTx,
  userId: string,
  filter: StatementFilter,
  page: StatementPage,
): Promise<{ lines: StatementLine[]; nextCursor: number | null }> {
  const rows = await db.execute<Row>(sql`
    select p.id, p.created_at, t.kind, t.reason, pk.name as package_name, r.game, p.currency,
      p.amount,
      a.balance - coalesce((select sum(later.amount) from wallet_postings later
        where later.account_id = p.account_id and later.id > p.id), 0) as balance_after
    from wallet_postings p
    join wallet_accounts a on a.id = p.account_id
    join wallet_transactions t on t.id = p.transaction_id
    left join payments pay on t.kind = 'purchase' and pay.id = t.subject_id
    left join coin_packages pk on pk.id = pay.package_id
    left join game_rounds r on t.kind = 'round' and r.id = t.id
    where ${conditions(userId, filter, page.cursor)}
    order by p.id desc
    limit ${page.limit + 1}`);
  const lines = rows.slice(0, page.limit).map((row) => ({
    id: Number(row.id),
    at: new Date(row.created_at),
    kind: row.kind,
    description: describeLine(row),
    currency: row.currency,
    amount: Number(row.amount),
    balanceAfter: Number(row.balance_after),
  }));
  const last = lines.at(-1);
  return { lines, nextCursor: rows.length > page.limit && last ? last.id : null };
}

export const STATEMENT_CSV_HEADER = [
  "posting_id",
  "at",
  "kind",
  "description",
  "currency",
  "amount",
  "balance_after",
];

/** Every line matching the filters as CSV, read a thousand at a time as it is streamed. */
export function statementCsvStream(
  db: DbOrTx,
  userId: string,
  filter: StatementFilter,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: number | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(csvRecord(STATEMENT_CSV_HEADER)));
      }
      const page = await listStatement(db, userId, filter, { cursor, limit: 1000 });
      const text = page.lines
        // Amounts are written as they are ("-1.00" is a number, not a formula to defuse).
        .map((l) =>
          [
            csvRecord([l.id, l.at.toISOString(), l.kind, l.description, l.currency]).slice(0, -2),
            formatCoins(l.amount),
            `${formatCoins(l.balanceAfter)}\r\n`,
          ].join(","),
        )
        .join("");
      if (text) controller.enqueue(encoder.encode(text));
      if (page.nextCursor === null) controller.close();
      else cursor = page.nextCursor;
    },
  });
}
