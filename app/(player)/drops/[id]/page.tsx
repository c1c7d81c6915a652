import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ClaimPanel } from "@/components/drops/claim-button";
import { LiveRemaining } from "@/components/drops/live-remaining";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { databaseNow, getDrop } from "@/lib/drops/drops";
import { formatDateTime, formatMoney } from "@/lib/format";
import { prizeKindLabels } from "@/lib/prizes/prizes";

export const metadata: Metadata = { title: "Drop" };

export default async function DropPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const db = getDb();
  const [drop, serverTime, user] = await Promise.all([
    getDrop(db, id),
    databaseNow(db),
    currentUser(),
  ]);
  if (!drop) notFound();
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
          </dl>
        </div>
        <ClaimPanel
          dropId={drop.id}
          startsAt={drop.startsAt}
          endsAt={drop.endsAt}
          serverTime={serverTime}
          signedIn={Boolean(user)}
          soldOut={drop.remaining === 0}
        />
      </div>
    </>
  );
}
