import Link from "next/link";
import type { CSSProperties } from "react";
import type { RoundView } from "@/lib/rounds/model";
import styles from "./play.module.css";

/** What a round came to, in words, for the result and the history alike. */
export function describeOutcome(round: RoundView): string {
  const o = round.outcome;
  if (round.game === "dice") {
    return `rolled ${Number(o.roll).toFixed(2)} ${o.win ? "under" : "not under"} ${Number(o.target).toFixed(2)}`;
  }
  if (o.tier === "lose") return "no win";
  return o.prizeTier ? `prize tier (${o.multiplier}×)` : `${o.tier} tier`;
}

export function isWin(round: RoundView): boolean {
  return round.prizeId !== null || round.payout !== "0.00";
}

/** A prize won: where it is, and what the player must do when it is held for them. */
function PrizeWon({ redemption }: { redemption: RoundView["redemption"] }) {
  if (!redemption) return <>You won a prize: see My redemptions.</>;
  const link = <Link href={`/redemptions/${redemption.id}`}>your prize</Link>;
  if (redemption.status === "held") {
    return (
      <span data-testid="round-prize-held">
        You won a prize! It is held until you have{" "}
        <Link href="/account/identity">declared your identity</Link> and verified your email: see{" "}
        {link} for what is missing.
      </span>
    );
  }
  if (redemption.status === "pending_approval") {
    return (
      <span data-testid="round-prize-pending">
        You won a prize! It waits for an admin&apos;s approval: see {link}.
      </span>
    );
  }
  return <>You won a prize: see {link}.</>;
}

/**
 * The latest round's result. It animates briefly when it appears (keyed by the round, so each
 * round animates once), and not at all for those who ask for reduced motion (the stylesheet).
 */
export function RoundResult({ round }: { round: RoundView | null }) {
  if (!round) {
    return (
      <p className={`${styles.result} muted`} role="status" data-testid="round-result">
        Your result shows here.
      </p>
    );
  }
  const win = isWin(round);
  return (
    <div
      key={round.id}
      className={`${styles.result} ${win ? styles.win : styles.loss}`}
      role="status"
      data-testid="round-result"
      data-outcome={win ? "win" : "loss"}
    >
      {round.game === "dice" ? (
        <div
          className={styles.track}
          style={
            {
              "--roll": `${Number(round.outcome.roll)}%`,
              "--target": `${Number(round.outcome.target)}%`,
            } as CSSProperties
          }
          aria-hidden="true"
        >
          <div className={styles.winZone} />
          <div className={styles.marker}>{Number(round.outcome.roll).toFixed(2)}</div>
        </div>
      ) : (
        <div className={styles.card} aria-hidden="true">
          <span>{round.outcome.tier === "lose" ? "—" : `${round.outcome.multiplier}×`}</span>
        </div>
      )}
      <p className={styles.verdict}>
        <strong>{win ? "Win" : "No win"}</strong>: {describeOutcome(round)}.{" "}
        {round.prizeId ? (
          <PrizeWon redemption={round.redemption} />
        ) : win ? (
          `+${round.payout} ${round.currency}`
        ) : (
          `−${round.stake} ${round.currency}`
        )}{" "}
        <span className="muted small">
          (nonce {round.nonce}, <Link href={`/rounds/${round.id}/verify`}>verify</Link>)
        </span>
      </p>
    </div>
  );
}
