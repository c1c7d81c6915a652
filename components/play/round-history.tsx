import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import type { RoundView } from "@/lib/rounds/model";
import styles from "./play.module.css";
import { describeOutcome, isWin } from "./round-result";

const gameNames: Record<RoundView["game"], string> = { dice: "Dice", scratch: "Scratch card" };

/** A page of the player's rounds, newest first, each with its verify link. */
export function RoundHistory({
  rounds,
  olderHref,
  newestHref,
}: {
  rounds: RoundView[];
  /** The next page of older rounds, when there is one. */
  olderHref: string | null;
  /** Back to the newest rounds, when this page is not the first. */
  newestHref?: string | null;
}) {
  return (
    <>
      {rounds.length === 0 ? (
        <p className="card muted" data-testid="round-history-empty">
          No rounds yet.
        </p>
      ) : (
        <div className={styles.history}>
          <TableScroll label="Round history">
            <table data-testid="round-history">
              <thead>
                <tr>
                  <th>Played</th>
                  <th>Game</th>
                  <th>Stake</th>
                  <th>Payout</th>
                  <th>Outcome</th>
                  <th>Nonce</th>
                  <th>
                    <span className="sr-only">Verify</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rounds.map((r) => (
                  <tr key={r.id} data-testid="round-row" data-round-id={r.id}>
                    <td data-label="Played">
                      <DateTime value={r.playedAt} />
                    </td>
                    <td data-label="Game">{gameNames[r.game]}</td>
                    <td data-label="Stake">
                      {r.stake} {r.currency}
                    </td>
                    <td data-label="Payout">
                      {r.prizeId ? "a prize" : `${r.payout} ${r.currency}`}
                    </td>
                    <td data-label="Outcome">
                      <span className={`badge ${isWin(r) ? "live" : "ended"}`}>
                        {isWin(r) ? "win" : "no win"}
                      </span>{" "}
                      {describeOutcome(r)}
                    </td>
                    <td data-label="Nonce">{r.nonce}</td>
                    <td>
                      <Link href={`/rounds/${r.id}/verify`}>Verify</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </div>
      )}
      {(olderHref || newestHref) && (
        <nav className="row" aria-label="Round history pages" style={{ marginTop: 12 }}>
          {newestHref && <Link href={newestHref}>← Newest rounds</Link>}
          <span className="spacer" />
          {olderHref && <Link href={olderHref}>Older rounds →</Link>}
        </nav>
      )}
    </>
  );
}
