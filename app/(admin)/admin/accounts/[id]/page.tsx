import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { changeAccountAction } from "@/app/(admin)/actions";
import {
  AccountFlagForm,
  AccountRoleForm,
  AccountSuspendForm,
} from "@/components/admin/account-change-forms";
import { AccountStateBadges } from "@/components/admin/account-state-badges";
import { ClaimAttemptsTable } from "@/components/audit/claim-attempts-table";
import { ResponsibleGamingSummary } from "@/components/rg/responsible-gaming-summary";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { getAccountDetail } from "@/lib/admin/manage-accounts";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { getResponsibleGaming, listExclusions } from "@/lib/rg/settings";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const admin = await requirePageRole(`/admin/accounts/${id}`, "admin");
  const account = await getAccountDetail(getDb(), id);
  if (!account) notFound();
  const change = changeAccountAction.bind(null, account.id);
  const [rg, exclusions] = await Promise.all([
    getResponsibleGaming(getDb(), account.id, new Date()),
    listExclusions(getDb(), account.id),
  ]);
  const auditLink = `/admin/audit?subject=${encodeURIComponent(`user:${account.id}`)}`;
  return (
    <>
      <p className="small">
        <Link href="/admin/accounts">← Accounts</Link>
      </p>
      <h1>{account.email}</h1>
      {account.role === "player" && (
        <p className="small">
          <Link href={`/admin/accounts/${account.id}/wallet`}>Wallet and statement →</Link>
        </p>
      )}
      <p className="lead">
        {account.displayName} · {account.role} <AccountStateBadges account={account} />
      </p>
      <div className="grid two">
        <div className="card">
          <dl className="facts" data-testid="account-facts">
            <dt>Role</dt>
            <dd data-testid="account-role">{account.role}</dd>
            <dt>Email</dt>
            <dd>{account.emailVerified ? "verified" : "not verified"}</dd>
            <dt>Region</dt>
            <dd>{account.region ?? "not declared"}</dd>
            <dt>Loyalty tier</dt>
            <dd>{account.loyaltyTier}</dd>
            <dt>Two-factor</dt>
            <dd>{account.twoFactor ? "on" : "off"}</dd>
            <dt>Joined</dt>
            <dd>
              <DateTime value={account.createdAt} />
            </dd>
            <dt>Flagged</dt>
            <dd data-testid="account-flag">
              {account.flaggedAt ? (
                <>
                  since <DateTime value={account.flaggedAt} />:{" "}
                  {account.flaggedReason ?? "no reason given"}
                </>
              ) : (
                "no"
              )}
            </dd>
            <dt>Suspended</dt>
            <dd data-testid="account-suspension">
              {account.suspendedAt ? (
                <>
                  since <DateTime value={account.suspendedAt} />:{" "}
                  {account.suspendedReason ?? "no reason given"}
                </>
              ) : (
                "no"
              )}
            </dd>
          </dl>
          <p className="small" style={{ marginBottom: 0 }}>
            <Link href={auditLink}>Changes to this account in the audit trail</Link>
          </p>
        </div>
        <div>
          {account.id === admin.id ? (
            <p className="card muted">This is your own account: another admin changes its role.</p>
          ) : (
            <AccountRoleForm action={change} role={account.role} />
          )}
          <AccountFlagForm action={change} flagged={account.flaggedAt !== null} />
          <AccountSuspendForm action={change} suspended={account.suspendedAt !== null} />
        </div>
      </div>
      <h2>Linked accounts</h2>
      {account.linkedAccounts.length === 0 ? (
        <p className="muted">None: no shared device, address or payout details seen.</p>
      ) : (
        <ul data-testid="linked-accounts">
          {account.linkedAccounts.map((l) => (
            <li key={l.id}>
              <Link href={`/admin/accounts/${l.id}`}>{l.email}</Link>{" "}
              <AccountStateBadges account={l} />
            </li>
          ))}
        </ul>
      )}
      {account.role === "player" && (
        <>
          <h2>Responsible gaming</h2>
          <ResponsibleGamingSummary view={rg} exclusions={exclusions} />
        </>
      )}
      <h2>Recent claim attempts</h2>
      <ClaimAttemptsTable attempts={account.recentAttempts} staff />
    </>
  );
}
