import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import {
  currencies,
  formatCoins,
  type StatementFilter,
  type StatementLine,
  transactionKindLabels,
  walletTransactionKinds,
} from "@/lib/wallet/model";
import styles from "./wallet.module.css";

/**
 * A statement: the filter form (a plain GET form, so a filtered view is a link), the postings
 * newest first with the balance after each, a link to older ones and the CSV of all that match.
 */
export function StatementView({
  lines,
  nextCursor,
  filter,
  path,
  csvUrl,
}: {
  lines: StatementLine[];
  nextCursor: number | null;
  filter: StatementFilter;
  /** The page's own path, which the filter form and the pager link to. */
  path: string;
  /** The API's statement URL, to which the filters and format=csv are added. */
  csvUrl: string;
}) {
  const query = new URLSearchParams(
    Object.entries(filter).filter((e): e is [string, string] => Boolean(e[1])),
  );
  const csvQuery = new URLSearchParams(query);
  csvQuery.set("format", "csv");
  const older = new URLSearchParams(query);
  if (nextCursor !== null) older.set("cursor", String(nextCursor));
  return (
    <section className="stack" aria-label="Statement">
      <form method="get" action={path} className={styles.filters} aria-label="Filter the statement">
        <label>
          Currency
          <select name="currency" defaultValue={filter.currency ?? ""}>
            <option value="">All</option>
            {currencies.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select name="kind" defaultValue={filter.kind ?? ""}>
            <option value="">All</option>
            {walletTransactionKinds.map((k) => (
              <option key={k} value={k}>
                {transactionKindLabels[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" defaultValue={filter.from ?? ""} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={filter.to ?? ""} />
        </label>
        <button type="submit" className="secondary">
          Filter
        </button>
        <a href={`${csvUrl}?${csvQuery}`} download data-testid="statement-csv">
          Download CSV
        </a>
      </form>
      {lines.length === 0 ? (
        <p className="card muted">No postings match.</p>
      ) : (
        <TableScroll label="Statement" className={styles.scroll}>
          <table data-testid="statement">
            <thead>
              <tr>
                <th>Time</th>
                <th>Kind</th>
                <th>Description</th>
                <th>Currency</th>
                <th className={styles.num}>Amount</th>
                <th className={styles.num}>Balance after</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.id} data-testid="statement-line">
                  <td>
                    <DateTime value={l.at} />
                  </td>
                  <td>{transactionKindLabels[l.kind]}</td>
                  <td>{l.description}</td>
                  <td>{l.currency}</td>
                  <td className={styles.num}>{formatCoins(l.amount)}</td>
                  <td className={styles.num}>{formatCoins(l.balanceAfter)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {nextCursor !== null && (
        <p>
          <Link href={`${path}?${older}`}>Older postings →</Link>
        </p>
      )}
    </section>
  );
}
