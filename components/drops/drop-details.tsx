import type { ReactNode } from "react";
import { DateTime, Money } from "@/components/ui/date-time";
import type { DropPrize, DropView, EligibilityRules } from "@/lib/drops/model";
import { prizeKindLabels } from "@/lib/prizes/model";

/** What a drop shows players; the admin's preview renders the same from a draft. */
export type DropDetailsData = Pick<
  DropView,
  | "title"
  | "description"
  | "prize"
  | "pools"
  | "units"
  | "startsAt"
  | "endsAt"
  | "perPlayerLimit"
  | "eligibility"
  | "status"
  | "endedEarlyAt"
>;

export function describeEligibility(rules: EligibilityRules): string {
  const parts = [
    rules.verifiedEmail && "verified email",
    rules.minAccountAgeDays && `accounts at least ${rules.minAccountAgeDays} days old`,
    rules.minTier && rules.minTier !== "bronze" && `${rules.minTier} tier and above`,
    rules.regions?.length && `players in ${rules.regions.join(", ")}`,
    rules.notFlagged && "accounts in good standing",
    rules.onePerGroup && "one claim per group of linked accounts",
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(" · ") : "every player";
}

/** "25 USDC" for a crypto prize that says what it pays out. */
export function tokenPayout(prize: DropPrize): string | undefined {
  return prize.kind === "crypto" && prize.tokenAmount && prize.tokenSymbol
    ? `${prize.tokenAmount} ${prize.tokenSymbol}`
    : undefined;
}

/** A drop's status as a badge, and whether the organisers ended it early. */
export function DropStatusBadge({
  status,
  endedEarlyAt,
}: Pick<DropDetailsData, "status" | "endedEarlyAt">) {
  return (
    <>
      <span className={`badge ${status}`} data-testid="drop-status">
        {status.replace("_", " ")}
      </span>
      {endedEarlyAt && (
        <span className="muted" data-testid="ended-early">
          {" "}
          · ended early by the organisers
        </span>
      )}
    </>
  );
}

/**
 * The heading of a drop page: status, title, headline prize and the descriptions. `status`
 * replaces the badge of `drop` (the drop page's follows the drop live).
 */
export function DropHeading({ drop, status }: { drop: DropDetailsData; status?: ReactNode }) {
  const payout = tokenPayout(drop.prize);
  return (
    <>
      <p className="muted small" style={{ margin: 0 }}>
        {status ?? <DropStatusBadge status={drop.status} endedEarlyAt={drop.endedEarlyAt} />}
      </p>
      <h1 style={{ marginTop: 8 }}>{drop.title}</h1>
      <p className="lead">
        {drop.prize.name} · {prizeKindLabels[drop.prize.kind]}
        {payout && <span data-testid="token-payout"> · pays {payout}</span>} · worth{" "}
        <Money cents={drop.prize.valueCents} />
      </p>
      {drop.description && <p data-testid="drop-description">{drop.description}</p>}
      {drop.prize.description && <p className="muted">{drop.prize.description}</p>}
    </>
  );
}

/** The facts of a drop: window, limit, who can claim, the pools. `remaining` goes first. */
export function DropFacts({ drop, remaining }: { drop: DropDetailsData; remaining: ReactNode }) {
  return (
    <div className="card">
      {remaining}
      <dl className="facts" style={{ marginTop: 12 }}>
        <dt>Starts</dt>
        <dd>
          <DateTime value={drop.startsAt} />
        </dd>
        <dt>Ends</dt>
        <dd>
          <DateTime value={drop.endsAt} />
        </dd>
        <dt>Per player</dt>
        <dd>{drop.perPlayerLimit === 1 ? "1 unit" : `up to ${drop.perPlayerLimit} units`}</dd>
        <dt>Who can claim</dt>
        <dd data-testid="eligibility">{describeEligibility(drop.eligibility)}</dd>
        {drop.pools.length > 1 && (
          <>
            <dt>Pools</dt>
            <dd data-testid="drop-pools">
              {drop.pools.map((p) => (
                <div key={p.id}>
                  {p.units} × {p.prize.name}
                  {tokenPayout(p.prize) && ` (${tokenPayout(p.prize)})`}
                  {p.minTier !== "bronze" && ` (reserved for ${p.minTier} and above)`}
                </div>
              ))}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}
