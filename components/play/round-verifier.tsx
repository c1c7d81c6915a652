"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import {
  type RoundProof,
  type RoundVerdict,
  type StepState,
  verifyRoundProof,
} from "@/lib/fairness/verify-round";
import { canonicalJson } from "@/lib/games/round-record";
import styles from "./play.module.css";

const stateLabels: Record<StepState, { icon: string; word: string; badge: string }> = {
  passed: { icon: "✓", word: "passed", badge: "live" },
  failed: { icon: "✗", word: "failed", badge: "ended" },
  not_run: { icon: "–", word: "not run", badge: "" },
};

const verdicts: Record<RoundVerdict["state"], string> = {
  passed: "Every check passed: this round was decided by the committed seed and paid by the rules.",
  failed: "A check FAILED: this round does not match what was committed.",
  incomplete: "Not every check could run yet: see the steps marked “not run”.",
};

/**
 * Replays a round in this browser from its revealed seed, with the code the server and
 * `npm run rounds:verify` use, and checks the seed's commitment and the round's record against
 * the public log's leaves and audit paths.
 */
export function RoundVerifier({
  proof,
  ledgerHrefs,
}: {
  proof: RoundProof;
  /** Where /ledger shows each leaf, once sequenced. */
  ledgerHrefs: { round: string | null; commitment: string | null };
}) {
  const [verdict, setVerdict] = useState<RoundVerdict | null>(null);
  // In an effect: the checks run here in the browser, never in the server's render.
  useEffect(() => setVerdict(verifyRoundProof(proof)), [proof]);
  const { record } = proof;
  return (
    <>
      <dl className={styles.facts} data-testid="round-inputs">
        <dt>Game</dt>
        <dd>
          {record.game} {canonicalJson(record.params)}
        </dd>
        <dt>Stake</dt>
        <dd>
          {record.stake} {record.currency}
        </dd>
        <dt>Outcome</dt>
        <dd className={styles.mono}>{canonicalJson(record.outcome)}</dd>
        <dt>Payout</dt>
        <dd>
          {record.payout} {record.currency}
          {record.prizeId ? ` and prize ${record.prizeId}` : ""}
        </dd>
        <dt>Server seed</dt>
        <dd className={styles.mono}>{proof.serverSeed ?? "not revealed yet"}</dd>
        <dt>Server seed hash</dt>
        <dd className={styles.mono}>{record.serverSeedHash}</dd>
        <dt>Client seed</dt>
        <dd className={styles.mono}>{record.clientSeed}</dd>
        <dt>Nonce</dt>
        <dd>{record.nonce}</dd>
        <dt>Ledger leaves</dt>
        <dd>
          {ledgerHrefs.commitment ? (
            <Link href={ledgerHrefs.commitment}>seed commitment, leaf {proof.seedLeaf.index}</Link>
          ) : (
            "seed commitment not sequenced yet"
          )}
          {"; "}
          {ledgerHrefs.round ? (
            <Link href={ledgerHrefs.round}>round, leaf {proof.roundLeaf.index}</Link>
          ) : (
            "round not sequenced yet"
          )}
        </dd>
      </dl>

      <h2>Checks</h2>
      {verdict === null ? (
        <p className="loading-notice" role="status">
          Replaying the round in your browser…
        </p>
      ) : (
        <>
          <ol className="steps" data-testid="verify-steps">
            {verdict.steps.map((s) => (
              <li
                key={s.id}
                className={s.state === "not_run" ? "" : s.state}
                data-testid="verify-step"
                data-step={s.id}
                data-state={s.state}
              >
                <span className="icon" aria-hidden="true">
                  {stateLabels[s.state].icon}
                </span>
                <div>
                  <strong>{s.label}</strong>{" "}
                  <span className={`badge ${stateLabels[s.state].badge}`}>
                    {stateLabels[s.state].word}
                  </span>
                  <p className={styles.detail}>{s.detail}</p>
                </div>
              </li>
            ))}
          </ol>
          <p
            className={`verdict ${verdict.state === "incomplete" ? styles.incomplete : verdict.state}`}
            data-testid="verify-verdict"
            data-state={verdict.state}
          >
            {verdicts[verdict.state]}
          </p>
        </>
      )}
    </>
  );
}
