import type { Metadata } from "next";
import Link from "next/link";
import { AccountStateBadges } from "@/components/admin/account-state-badges";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { searchAccounts } from "@/lib/admin/manage-accounts";
import { accountSearchSchema } from "@/lib/admin/model";
import { roles } from "@/lib/auth/model";
import { requirePageRole } from "@/lib/auth/require-page-role";

export const metadata: Metadata = { title: "Accounts" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function AccountsPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePageRole("/admin/accounts", "admin");
  const raw = Object.fromEntries(
    Object.entries(await searchParams).map(([k, v]) => [k, first(v) ?? ""]),
  );
  const parsed = accountSearchSchema.safeParse(raw);
  const result = parsed.success ? await searchAccounts(getDb(), parsed.data) : undefined;
  const next = new URLSearchParams({ ...raw, after: result?.nextAfter ?? "" });
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>Accounts</h1>
      <form
        method="get"
        className="row"
        aria-label="Search accounts"
        style={{ alignItems: "flex-end", marginBottom: 16 }}
      >
        <label>
          Email or name
          <input name="q" type="search" defaultValue={raw.q} maxLength={254} />
        </label>
        <label>
          Role
          <select name="role" defaultValue={raw.role ?? ""}>
            <option value="">Any</option>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Flagged
          <select name="flagged" defaultValue={raw.flagged ?? ""}>
            <option value="">Any</option>
            <option value="yes">Yes</option>
            <option value="no">No</option>
          </select>
        </label>
        <label>
          Suspended
          <select name="suspended" defaultValue={raw.suspended ?? ""}>
            <option value="">Any</option>
            <option value="yes">Yes</option>
            <option value="no">No</option>
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      {!parsed.success && (
        <p className="alert error" role="alert">
          {parsed.error.issues[0]?.message}
        </p>
      )}
      {result && result.accounts.length === 0 && <p className="card muted">No account matches.</p>}
      {result && result.accounts.length > 0 && (
        <TableScroll label="Accounts">
          <table>
            <thead>
              <tr>
                <th>Account</th>
                <th>Role</th>
                <th>Region</th>
                <th>State</th>
                <th>Joined</th>
              </tr>
            </thead>
            <tbody>
              {result.accounts.map((a) => (
                <tr key={a.id} data-testid="account-row">
                  <td>
                    <Link href={`/admin/accounts/${a.id}`}>{a.email}</Link>
                    <div className="muted small">{a.displayName}</div>
                  </td>
                  <td>{a.role}</td>
                  <td>{a.region ?? "—"}</td>
                  <td>
                    <AccountStateBadges account={a} />
                  </td>
                  <td className="small">
                    <DateTime value={a.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {result?.nextAfter && (
        <p>
          <Link href={`/admin/accounts?${next}`}>Next page →</Link>
        </p>
      )}
    </>
  );
}
