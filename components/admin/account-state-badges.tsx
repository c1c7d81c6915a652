import type { AccountSummary } from "@/lib/admin/model";

/** Verified, flagged, suspended at a glance. */
export function AccountStateBadges({ account }: { account: AccountSummary }) {
  return (
    <>
      {account.suspended && <span className="badge sold_out">suspended</span>}{" "}
      {account.flagged && <span className="badge paused">flagged</span>}{" "}
      {account.emailVerified ? (
        <span className="badge live">verified</span>
      ) : (
        <span className="badge upcoming">unverified</span>
      )}
    </>
  );
}
