import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import { ledgerLeafHref } from "@/lib/anchoring/public-log";
import type { FairnessView } from "@/lib/fairness/model";
import type { SeedEntry } from "@/lib/fairness/seed-log";
import styles from "./play.module.css";

const statusLabels: Record<SeedEntry["status"], string> = {
  next: "next (committed)",
  active: "in play",
  revealed: "revealed",
};

/** The commitments in force: what the next round will be played under. */
export function FairnessFacts({ fairness }: { fairness: FairnessView }) {
  return (
    <dl className={styles.facts} data-testid="fairness-facts">
      <dt>Server seed hash (in play)</dt>
      <dd className={styles.mono} data-testid="server-seed-hash">
        {fairness.serverSeedHash}
      </dd>
      <dt>Client seed</dt>
      <dd className={styles.mono} data-testid="client-seed">
        {fairness.clientSeed}
      </dd>
      <dt>Next nonce</dt>
      <dd data-testid="next-nonce">{fairness.nonce}</dd>
      <dt>Next seed's hash</dt>
      <dd className={styles.mono} data-testid="next-seed-hash">
        {fairness.nextServerSeedHash}
      </dd>
    </dl>
  );
}

function Anchoring({ seed }: { seed: SeedEntry }) {
  if (seed.leafIndex === null) return <span className="badge pending">waiting for the log</span>;
  return (
    <>
      <Link href={ledgerLeafHref(seed.leafIndex)}>leaf {seed.leafIndex}</Link>{" "}
      {seed.anchoredBy ? (
        <span className="badge anchored" title={seed.anchoredBy.txHash ?? ""}>
          anchored (checkpoint {seed.anchoredBy.treeSize})
        </span>
      ) : (
        <span className="badge pending">not anchored yet</span>
      )}
    </>
  );
}

/** Each seed, its commitment's place in the public log, and once revealed the seed itself. */
export function SeedTable({ seeds }: { seeds: SeedEntry[] }) {
  return (
    <ul className={styles.seeds} data-testid="seed-list">
      {seeds.map((seed) => (
        <li
          key={seed.id}
          className={`card ${styles.seed}`}
          data-testid="seed-row"
          data-status={seed.status}
        >
          <div className="row">
            <strong>{statusLabels[seed.status]}</strong>
            <span className="muted small">
              {seed.rounds} {seed.rounds === 1 ? "round" : "rounds"}
              {seed.revealedAt ? (
                <>
                  , revealed <DateTime value={seed.revealedAt} />
                </>
              ) : (
                ""
              )}
            </span>
            <span className="spacer" />
            <span className="small">
              Commitment: <Anchoring seed={seed} />
            </span>
          </div>
          <dl className={styles.facts}>
            <dt>Hash</dt>
            <dd className={styles.mono}>{seed.serverSeedHash}</dd>
            {seed.serverSeed && (
              <>
                <dt>Seed</dt>
                <dd className={styles.mono} data-testid="revealed-server-seed">
                  {seed.serverSeed}
                </dd>
              </>
            )}
          </dl>
        </li>
      ))}
    </ul>
  );
}
