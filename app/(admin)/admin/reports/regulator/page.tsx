import type { Metadata } from "next";
import Link from "next/link";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { countryName } from "@/lib/geo/model";
import { regulatorReportQuery } from "@/lib/reports/model";
import { regulatorReport } from "@/lib/reports/regulator-report";

export const metadata: Metadata = { title: "Regulator report" };

export default async function RegulatorReportPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePageRole("/admin/reports/regulator", "admin", "auditor");
  const raw = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const parsed = regulatorReportQuery.safeParse({ from: first(raw.from), to: first(raw.to) });
  const range = parsed.success ? parsed.data : regulatorReportQuery.parse({});
  const report = await regulatorReport(getDb(), range);
  const csv = `/api/v1/admin/reports/regulator?from=${range.from}&to=${range.to}&format=csv`;
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>Regulator report</h1>
      <p className="lead">
        Per region and UTC day: Gold Coins sold, free Sweeps Coins granted, Sweeps Coins wagered,
        won and redeemed. Each movement counts under the region the player had declared then.
      </p>
      <form className="card row" method="get" aria-label="Report range">
        <label>
          From
          <input type="date" name="from" defaultValue={range.from} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={range.to} />
        </label>
        <button type="submit">Show</button>
        <a className="button secondary" href={csv} download data-testid="regulator-csv">
          Download CSV
        </a>
      </form>
      {!parsed.success && (
        <p className="alert error" role="alert">
          {parsed.error.issues[0]?.message}: showing the last 7 days instead.
        </p>
      )}
      {report.rows.length === 0 ? (
        <p className="card muted">
          Nothing moved from {range.from} to {range.to}.
        </p>
      ) : (
        <TableScroll label="Regulator report by region and day">
          <table data-testid="regulator-report">
            <thead>
              <tr>
                <th>Day (UTC)</th>
                <th>Region</th>
                <th>GC sold</th>
                <th>SC granted</th>
                <th>SC wagered</th>
                <th>SC won</th>
                <th>SC redeemed</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r) => (
                <tr key={`${r.day}:${r.region}`}>
                  <td>{r.day}</td>
                  <td>{r.region ? `${countryName(r.region)} (${r.region})` : "not declared"}</td>
                  <td>{r.gcSold}</td>
                  <td>{r.scGranted}</td>
                  <td>{r.scWagered}</td>
                  <td>{r.scWon}</td>
                  <td>{r.scRedeemed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
