import Link from "next/link";
import { Countdown } from "@/components/drops/countdown";
import { tokenPayout } from "@/components/drops/drop-details";
import { LiveRemaining } from "@/components/drops/live-remaining";
import { Money } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { listOpenDrops } from "@/lib/drops/drops";
import { prizeKindLabels } from "@/lib/prizes/model";

export default async function HomePage() {
  const { serverTime, drops } = await listOpenDrops(getDb());
  return (
    <>
      <h1>Prize drops</h1>
      <p className="lead">
        Limited units, a fixed start time, first come first served. Every redemption is written to a
        public log anchored on chain, so anyone can check where each prize went.
      </p>
      {drops.length === 0 ? (
        <p className="card muted">No drops are live or scheduled right now.</p>
      ) : (
        <div className="grid">
          {drops.map((drop) => (
            <article key={drop.id} className="card" data-testid="drop-card">
              <div className="row">
                <span className={`badge ${drop.status}`}>{drop.status.replace("_", " ")}</span>
                <span className="spacer" />
                <Countdown startsAt={drop.startsAt} endsAt={drop.endsAt} serverTime={serverTime} />
              </div>
              <h3 style={{ marginTop: 12 }}>
                <Link href={`/drops/${drop.id}`}>{drop.title}</Link>
              </h3>
              <p className="muted small" style={{ margin: "0 0 8px" }}>
                {drop.prize.name} · {prizeKindLabels[drop.prize.kind]} ·{" "}
                {tokenPayout(drop.prize) ? `${tokenPayout(drop.prize)} · ` : ""}
                <Money cents={drop.prize.valueCents} />
              </p>
              <LiveRemaining dropId={drop.id} initial={drop.remaining} units={drop.units} />
              <Link href={`/drops/${drop.id}`} className="button" style={{ marginTop: 8 }}>
                {drop.status === "live" ? "Claim" : "View drop"}
              </Link>
            </article>
          ))}
        </div>
      )}
    </>
  );
}
