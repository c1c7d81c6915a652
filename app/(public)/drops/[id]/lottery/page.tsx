import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { enterLotteryAction } from "@/app/(player)/drops/[id]/lottery/actions";
import { CheckItYourself, DrawFacts } from "@/components/drops/draw-facts";
import { LiveDropProvider } from "@/components/drops/live-drop";
import { LotteryEnterPanel } from "@/components/drops/lottery-enter";
import { LotteryReplay } from "@/components/drops/lottery-replay";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { databaseNow, getDropLiveState } from "@/lib/drops/drops";
import { entrantId } from "@/lib/lottery/draw";
import { findLotteryEntry, lotteryTranscript } from "@/lib/lottery/lottery";
import { tierWeights } from "@/lib/lottery/model";

export const metadata: Metadata = { title: "Lottery draw" };

export default async function LotteryPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const db = getDb();
  const [t, live, user, serverTime] = await Promise.all([
    lotteryTranscript(db, id),
    getDropLiveState(db, id),
    currentUser(),
    databaseNow(db),
  ]);
  if (!t || !live) notFound();
  const player = user?.role === "player" ? user : undefined;
  const mine = player ? entrantId(t.dropId, player.id) : undefined;
  const entry = player ? await findLotteryEntry(db, t.dropId, player.id) : undefined;
  const skipped = new Map((t.skipped ?? []).map((s) => [s.entrant, s.reason]));
  const winners = new Set(t.winners ?? []);
  return (
    <>
      <p className="muted small" style={{ margin: 0 }}>
        <Link href={`/drops/${t.dropId}`}>← {t.title}</Link>
      </p>
      <h1 style={{ marginTop: 8 }}>A provably fair draw</h1>
      <p className="lead">
        {t.units} unit{t.units === 1 ? "" : "s"} go to entrants drawn at random, weighted by loyalty
        tier: gold {tierWeights.gold}×, silver {tierWeights.silver}×, bronze {tierWeights.bronze}×.
        The draw is fixed by a secret seed chosen when the drop was created; its SHA-256 is
        published below from the start, and the seed itself once the draw is made, so anyone can
        check that the winners follow from it and from the list of entries.
      </p>
      {!t.drawnAt && (
        <div style={{ marginBottom: 16 }}>
          <LiveDropProvider dropId={t.dropId} initial={live} serverTime={serverTime}>
            <LotteryEnterPanel
              dropId={t.dropId}
              serverTime={serverTime}
              signedIn={Boolean(user)}
              units={t.units}
              entry={entry}
              action={enterLotteryAction.bind(null, t.dropId)}
            />
          </LiveDropProvider>
        </div>
      )}
      <div className="grid two">
        <div className="card">
          <dl className="facts">
            <dt>Entries</dt>
            <dd>
              <DateTime value={t.startsAt} /> – <DateTime value={t.endsAt} />
            </dd>
            <dt>Entered</dt>
            <dd data-testid="lottery-entry-count">{t.entries.length}</dd>
            <DrawFacts
              seedHash={t.seedHash}
              seed={t.seed}
              drawnAt={t.drawnAt}
              algorithm={t.algorithm}
              secretUntil="the draw"
              notDrawn="not yet: the draw follows the end of entries"
              testId="lottery"
            />
          </dl>
          {mine && (
            <p className="muted small" style={{ marginBottom: 0 }}>
              Your entrant id in this drop:{" "}
              <code className="mono" style={{ wordBreak: "break-all" }}>
                {mine}
              </code>
            </p>
          )}
        </div>
        <CheckItYourself
          what="The transcript"
          url={`/api/v1/drops/${t.dropId}/lottery`}
          script="lottery:replay"
          dropId={t.dropId}
        >
          The script checks the seed against the commitment, recomputes the ranking and exits 0 only
          if the winners match. The algorithm is in <code>docs/lottery.md</code>, precise enough to
          write your own.
        </CheckItYourself>
      </div>

      {t.winners && (
        <>
          <h2>Winners</h2>
          {t.winners.length === 0 ? (
            <p className="muted">Nobody entered: no unit was given.</p>
          ) : (
            <ol className="mono small" data-testid="lottery-winners">
              {t.winners.map((e) => (
                <li key={e}>
                  {e}
                  {e === mine && " (you)"}
                </li>
              ))}
            </ol>
          )}
          {skipped.size > 0 && (
            <p className="small muted">
              {skipped.size} entrant{skipped.size === 1 ? " was" : "s were"} ranked high enough but
              refused a unit at the draw (for instance no longer eligible); the draw went on down
              the ranking.
            </p>
          )}
          <LotteryReplay dropId={t.dropId} />
        </>
      )}

      <h2>Entries</h2>
      {t.entries.length === 0 ? (
        <p className="muted">No entries yet.</p>
      ) : (
        <TableScroll label="Entries">
          <table className="small" data-testid="lottery-entries">
            <thead>
              <tr>
                <th>Entrant</th>
                <th>Weight</th>
                {t.winners && <th>Outcome</th>}
              </tr>
            </thead>
            <tbody>
              {t.entries.map((e) => (
                <tr key={e.entrant}>
                  <td className="mono" style={{ wordBreak: "break-all" }}>
                    {e.entrant}
                    {e.entrant === mine && " (you)"}
                  </td>
                  <td>{e.weight}</td>
                  {t.winners && (
                    <td>
                      {winners.has(e.entrant)
                        ? "won"
                        : skipped.has(e.entrant)
                          ? `passed over (${skipped.get(e.entrant)})`
                          : ""}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
