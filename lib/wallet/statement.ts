import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type postgres from "postgres";
import { type Db, type DbOrTx, sqlClient } from "@/db/client";
import { csvRecord } from "@/lib/audit/csv";
import { AppError } from "@/lib/errors/app-error";
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
  if (row.kind === "purchase" && row.package_name) {
    const bought = `Bought the ${row.package_name} package`;
    return row.reason ? `${bought}. ${row.reason}` : bought;
  }
  if (row.kind === "round" && row.game) return `${row.game} round`;
  if (row.kind === "grant" && row.reason) return `Grant: ${row.reason}`;
  if (row.kind === "daily_bonus") return "Daily free Sweeps Coins";
  return row.reason ?? transactionKindLabels[row.kind];
}

function toLine(row: Row): StatementLine {
  return {
    id: Number(row.id),
    at: new Date(row.created_at),
    kind: row.kind,
    description: describeLine(row),
    currency: row.currency,
    amount: Number(row.amount),
    balanceAfter: Number(row.balance_after),
  };
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
 * The statement's lines, newest first: one page of them, or (no page) all. Each carries its
 * account's balance right after it: the balance now, less what later postings moved. One window
 * over the player's postings from the oldest line up gives every line's "later" sum in one pass
 * (filtered-out postings count too), so a line costs O(1), not a scan of all later postings; and
 * the balance and the postings are read in one statement, so they agree whatever commits meanwhile.
 */
function statementSql(userId: string, filter: StatementFilter, page?: StatementPage): SQL {
  return sql`
    with lines as (
      select p.id from wallet_postings p
      join wallet_accounts a on a.id = p.account_id
      join wallet_transactions t on t.id = p.transaction_id
      where ${conditions(userId, filter, page?.cursor)}
      order by p.id desc
      ${page ? sql`limit ${page.limit + 1}` : sql``}
    ), balances as (
      select q.id, a.balance - coalesce(sum(q.amount) over (partition by q.account_id
          order by q.id desc rows between unbounded preceding and 1 preceding), 0) as balance_after
      from wallet_postings q join wallet_accounts a on a.id = q.account_id
      where a.kind = 'player' and a.user_id = ${userId} and q.id >= (select min(id) from lines)
    )
    select p.id, p.created_at, t.kind, t.reason, pk.name as package_name, r.game, p.currency,
      p.amount, b.balance_after
    from lines
    join balances b on b.id = lines.id
    join wallet_postings p on p.id = lines.id
    join wallet_transactions t on t.id = p.transaction_id
    left join payments pay on t.kind = 'purchase' and pay.id = t.subject_id
    left join coin_packages pk on pk.id = pay.package_id
    left join game_rounds r on t.kind = 'round' and r.id = t.id
    order by p.id desc`;
}

/** A player's postings, newest first, keyset-paginated by posting id. */
export async function listStatement(
  db: DbOrTx,
  userId: string,
  filter: StatementFilter,
  page: StatementPage,
): Promise<{ lines: StatementLine[]; nextCursor: number | null }> {
  const rows = await db.execute<Row>(statementSql(userId, filter, page));
  const lines = rows.slice(0, page.limit).map(toLine);
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

const dialect = new PgDialect();

/**
 * CSV downloads one web process serves at once, and one per statement. Each holds a pooled
 * connection (its cursor) for as long as its client takes to read it: without a bound, a few
 * downloads left unread would take the whole pool, and every request would wait behind them.
 */
export const MAX_CSV_EXPORTS = 3;

const exporting = globalThis as unknown as { prizeledgerStatementExports?: Set<string> };

/** A slot for one more export of `userId`'s statement, or `rate_limited`; the release is idempotent. */
function takeExportSlot(userId: string): () => void {
  exporting.prizeledgerStatementExports ??= new Set();
  const open = exporting.prizeledgerStatementExports;
  if (open.has(userId)) {
    throw new AppError(
      "rate_limited",
      "This statement is being downloaded already: wait for that download to finish",
    );
  }
  if (open.size >= MAX_CSV_EXPORTS) {
    throw new AppError("rate_limited", "Too many statement downloads at once: try again shortly", {
      limit: MAX_CSV_EXPORTS,
    });
  }
  open.add(userId);
  return () => open.delete(userId);
}

/**
 * Every line matching the filters as CSV: one query (statementSql, linear in the postings read),
 * fetched a thousand rows at a time through a cursor as the download is read, so that the whole
 * export is one consistent snapshot. A download left early closes the cursor and frees its
 * connection. Refused with `rate_limited` past MAX_CSV_EXPORTS, or while the same statement is
 * being downloaded.
 */
export function statementCsvStream(
  db: Db,
  userId: string,
  filter: StatementFilter,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const query = dialect.sqlToQuery(statementSql(userId, filter));
  const release = takeExportSlot(userId);
  let batches: AsyncIterator<Row[]> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRecord(STATEMENT_CSV_HEADER)));
    },
    async pull(controller) {
      let batch: IteratorResult<Row[]>;
      try {
        batches ??= sqlClient(db)
          .unsafe<Row[]>(query.sql, query.params as postgres.ParameterOrJSON<never>[])
          .cursor(1000)
          [Symbol.asyncIterator]();
        batch = await batches.next();
      } catch (error) {
        release();
        throw error;
      }
      if (batch.done) {
        release();
        controller.close();
        return;
      }
      const text = batch.value
        .map(toLine)
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
    },
    async cancel() {
      try {
        await batches?.return?.();
      } finally {
        release();
      }
    },
  });
}
