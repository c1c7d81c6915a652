import type { Metadata } from "next";
import Link from "next/link";
import { RedemptionStatusBadge } from "@/components/admin/redemption-status-badge";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listAllDrops } from "@/lib/drops/drops";
import { localInputToIso } from "@/lib/format";
import { requestViewer } from "@/lib/http/request-viewer";
import { listPrizes } from "@/lib/prizes/prizes";
import {
  describeOrigin,
  redemptionSearchSchema,
  redemptionStatuses,
} from "@/lib/redemptions/model";
import { searchRedemptions } from "@/lib/redemptions/search-redemptions";

export const metadata: Metadata = { title: "Redemptions" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function RedemptionsSearchPage({
  searchParams,
}: {
  searchParams: SearchParams;
}) {
  await requirePageRole("/admin/redemptions", "admin");
  const raw = Object.fromEntries(
    Object.entries(await searchParams).map(([k, v]) => [k, first(v) ?? ""]),
  );
  const db = getDb();
  // datetime-local inputs carry no zone: the page reads them in the viewer's, and says which.
  const { timeZone } = await requestViewer();
  const parsed = redemptionSearchSchema.safeParse({
    ...raw,
    from: localInputToIso(raw.from, timeZone),
    to: localInputToIso(raw.to, timeZone),
  });
  const [result, drops, prizes] = await Promise.all([
    parsed.success ? searchRedemptions(db, parsed.data) : undefined,
    listAllDrops(db),
    listPrizes(db),
  ]);
  const next = new URLSearchParams({ ...raw, after: result?.nextAfter ?? "" });
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>Redemptions</h1>
      <form
        method="get"
        className="row"
        aria-label="Search redemptions"
        style={{ alignItems: "flex-end", marginBottom: 16, flexWrap: "wrap" }}
      >
        <label>
          Player (email or id)
          <input name="player" type="search" defaultValue={raw.player} maxLength={254} />
        </label>
        <label>
          Drop
          <select name="dropId" defaultValue={raw.dropId ?? ""}>
            <option value="">Any</option>
            {drops.map((d) => (
              <option key={d.id} value={d.id}>
                {d.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Prize
          <select name="prizeId" defaultValue={raw.prizeId ?? ""}>
            <option value="">Any</option>
            {prizes.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={raw.status ?? ""}>
            <option value="">Any</option>
            {redemptionStatuses.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </label>
        <label>
          From ({timeZone})
          <input name="from" type="datetime-local" defaultValue={raw.from} />
        </label>
        <label>
          To ({timeZone})
          <input name="to" type="datetime-local" defaultValue={raw.to} />
        </label>
        <button type="submit">Search</button>
      </form>
      {!parsed.success && (
        <p className="alert error" role="alert">
          {parsed.error.issues[0]?.message}
        </p>
      )}
      {result && result.redemptions.length === 0 && (
        <p className="card muted">No redemption matches.</p>
      )}
      {result && result.redemptions.length > 0 && (
        <TableScroll label="Redemptions">
          <table>
            <thead>
              <tr>
                <th>Player</th>
                <th>From</th>
                <th>Prize</th>
                <th>Status</th>
                <th>Claimed</th>
                <th>Ledger</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {result.redemptions.map((r) => (
                <tr key={r.id} data-testid="redemption-row">
                  <td>
                    <Link href={`/admin/accounts/${r.player.id}`}>{r.player.email}</Link>
                  </td>
                  <td>{describeOrigin(r)}</td>
                  <td>{r.prize.name}</td>
                  <td>
                    <RedemptionStatusBadge status={r.status} />
                  </td>
                  <td className="small">
                    <DateTime value={r.claimedAt} />
                  </td>
                  <td>
                    <span className={`badge ${r.anchoring.status}`}>
                      {r.anchoring.status === "anchored" ? "anchored" : "pending"}
                    </span>
                  </td>
                  <td>
                    <Link href={`/admin/redemptions/${r.id}`}>Details</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {result?.nextAfter && (
        <p>
          <Link href={`/admin/redemptions?${next}`}>Next page →</Link>
        </p>
      )}
    </>
  );
}
