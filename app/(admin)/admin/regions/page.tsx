import type { Metadata } from "next";
import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { listExcludedRegions } from "@/lib/abuse/regions";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { COUNTRIES, countryName, isCountryCode } from "@/lib/geo/model";
import { ExcludeRegionForm, IncludeRegionForm } from "./region-forms";

export const metadata: Metadata = { title: "Excluded regions" };

export default async function RegionsPage({
  searchParams,
}: {
  searchParams: Promise<{ opened?: string | string[] }>;
}) {
  await requirePageRole("/admin/regions", "admin");
  const { opened } = await searchParams;
  const reopened = typeof opened === "string" && isCountryCode(opened) ? opened : undefined;
  const regions = await listExcludedRegions(getDb());
  const excluded = new Set(regions.map((r) => r.code));
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>Excluded regions</h1>
      <p className="muted">
        No one may claim or enter a lottery from these regions: neither players who declared one of
        them, nor requests that GeoIP places in one. Sweeps Coins play and redemption are refused in
        every listed region; a region marked “Sweeps Coins only” stays open to claims and Gold Coins
        play.
      </p>
      {reopened && !excluded.has(reopened) && (
        <p className="alert success" role="status">
          {countryName(reopened)} ({reopened}) is open again
        </p>
      )}
      {regions.length === 0 ? (
        <p className="card muted">No region is excluded.</p>
      ) : (
        <TableScroll label="Excluded regions">
          <table>
            <thead>
              <tr>
                <th>Region</th>
                <th>Refused</th>
                <th>Note</th>
                <th>Since</th>
                <th>Open again</th>
              </tr>
            </thead>
            <tbody>
              {regions.map((r) => (
                <tr key={r.code} data-testid="excluded-region">
                  <td>
                    {r.name} <span className="muted">({r.code})</span>
                  </td>
                  <td>{r.sweepsOnly ? "Sweeps Coins only" : "Claims and Sweeps Coins"}</td>
                  <td>{r.note ?? "—"}</td>
                  <td className="small">
                    <DateTime value={r.createdAt} />
                  </td>
                  <td>
                    <IncludeRegionForm code={r.code} name={r.name} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h2>Exclude a region</h2>
      {/* A fresh form after a region was opened again: its last message would be stale. */}
      <ExcludeRegionForm
        key={reopened ?? ""}
        countries={COUNTRIES.filter((c) => !excluded.has(c.code))}
      />
    </>
  );
}
