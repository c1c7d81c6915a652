import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ClaimPanel } from "@/components/drops/claim-button";
import { LiveRemaining } from "@/components/drops/live-remaining";
import { LotteryEnterPanel } from "@/components/drops/lottery-enter";
import { getDb } from "@/db/client";
import type { EligibilityRules } from "@/db/schema";
import { currentUser } from "@/lib/auth/current-user";
import { databaseNow, getDrop } from "@/lib/drops/drops";
import { formatDateTime, formatMoney } from "@/lib/format";
import { findLotteryEntry } from "@/lib/lottery/lottery";
import { prizeKindLabels } from "@/lib/prizes/prizes";

export const metadata: Metadata = { title: "Drop" };

function describeEligibility(rules: EligibilityRules): string {
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

export default async function DropPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const db = getDb();
  const [drop, serverTime, user] = await Promise.all([
    getDrop(db, id),
    databaseNow(db),
    currentUser(),
  ]);
  if (!drop) notFound();
  const entry =
    drop.allocation === "lottery" && user?.role === "player"
      ? await findLotteryEntry(db, drop.id, user.id)
      : undefined;
  return (
    <>
      <p className="muted small" style={{ margin: 0 }}>
        <span className={`badge ${drop.status}`}>{drop.status.replace("_", " ")}</span>
      </p>
      <h1 style={{ marginTop: 8 }}>{drop.title}</h1>
      <p className="lead">
        {drop.prize.name} · {prizeKindLabels[drop.prize.kind]} · worth{" "}
        {formatMoney(drop.prize.valueCents)}
      </p>
      <div className="grid two">
        <div className="card">
          <LiveRemaining dropId={drop.id} initial={drop.remaining} units={drop.units} />
          <dl className="facts" style={{ marginTop: 12 }}>
            <dt>Starts</dt>
            <dd>{formatDateTime(drop.startsAt)}</dd>
            <dt>Ends</dt>
            <dd>{formatDateTime(drop.endsAt)}</dd>
            <dt>Per player</dt>
            <dd>{drop.perPlayerLimit === 1 ? "1 unit" : `up to ${drop.perPlayerLimit} units`}</dd>
            <dt>Who can claim</dt>
            <dd data-testid="eligibility">{describeEligibility(drop.eligibility)}</dd>
            {drop.pools.length > 1 && (
              <>
                <dt>Pools</dt>
                <dd>
                  {drop.pools.map((p) => (
                    <div key={p.id}>
                      {p.units} × {p.prize.name}
                      {p.minTier !== "bronze" && ` (reserved for ${p.minTier} and above)`}
                    </div>
                  ))}
                </dd>
              </>
            )}
          </dl>
        </div>
        {drop.allocation === "lottery" ? (
          <LotteryEnterPanel
            dropId={drop.id}
            startsAt={drop.startsAt}
            endsAt={drop.endsAt}
            serverTime={serverTime}
            signedIn={Boolean(user)}
            units={drop.units}
            entry={entry}
          />
        ) : (
          <ClaimPanel
            dropId={drop.id}
            startsAt={drop.startsAt}
            endsAt={drop.endsAt}
            serverTime={serverTime}
            signedIn={Boolean(user)}
            soldOut={drop.remaining === 0}
            perPlayerLimit={drop.perPlayerLimit}
          />
        )}
      </div>
    </>
  );
}
