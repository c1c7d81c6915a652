import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CheckItYourself, DrawFacts } from "@/components/drops/draw-facts";
import { QueueEntryCheck } from "@/components/drops/queue-entry-check";
import { QueuePager } from "@/components/drops/queue-pager";
import { QueueReplay } from "@/components/drops/queue-replay";
import styles from "@/components/drops/waiting-room.module.css";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { ledgerLeafHref } from "@/lib/anchoring/public-log";
import { currentUser } from "@/lib/auth/current-user";
import { findQueueStats } from "@/lib/drops/drop-queue";
import { getDrop } from "@/lib/drops/drops";
import { pageQueueProof, proofPageQuery } from "@/lib/queue/model";
import { getCachedQueueProof, getQueueView } from "@/lib/queue/queue";

export const metadata: Metadata = { title: "Waiting room order" };

/** Places of the order, and entries, listed a page: a crowd's proof is no page to scroll. */
const PAGE_SIZE = 100;

/** " (you)" beside the signed-in player's own pseudonym. */
function You({ pseudonym, mine }: { pseudonym: string; mine: string | null }) {
  return pseudonym === mine ? <strong> (you)</strong> : null;
}

export default async function QueueFairnessPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const asked = proofPageQuery.safeParse(await searchParams);
  const db = getDb();
  const [drop, user] = await Promise.all([getDrop(db, id), currentUser()]);
  if (!drop) notFound();
  const stats = await findQueueStats(db, drop.id);
  if (!stats?.enabled) notFound();
  const player = user?.role === "player" ? user : undefined;
  const [whole, view] = await Promise.all([
    getCachedQueueProof(db, drop.id),
    player ? getQueueView(db, { dropId: drop.id, playerId: player.id }) : undefined,
  ]);
  // A cursor that is no number shows the first page, and says why.
  const query = asked.success ? asked.data : {};
  const proof = pageQueueProof(whole, { limit: PAGE_SIZE, ...query });
  const mine = view?.pseudonym ?? null;
  const myIndex = mine && whole.order ? whole.order.indexOf(mine) : -1;
  const start = Date.parse(proof.startsAt);
  return (
    <>
      <p className="muted small" style={{ margin: 0 }}>
        <Link href={`/drops/${drop.id}`}>← {drop.title}</Link>
      </p>
      <h1 style={{ marginTop: 8 }}>A provably fair waiting room</h1>
      <p className="lead">
        Everyone who joins the waiting room before the drop starts is put in a random order at the
        start; later arrivals queue behind them in the order they came. The order is fixed by a
        secret seed whose SHA-256 is published below from the moment the room opens, and the seed
        itself once the order is drawn, so anyone can check that the order follows from it and from
        the list of entries.
      </p>
      <div className="grid two">
        <div className="card">
          <dl className="facts">
            <dt>Room opens</dt>
            <dd>
              <DateTime value={stats.opensAt} />
            </dd>
            <dt>Drop starts</dt>
            <dd>
              <DateTime value={drop.startsAt} />
            </dd>
            <dt>Entries</dt>
            <dd data-testid="queue-entry-count">{proof.page.entryCount}</dd>
            {proof.draw && (
              <>
                <dt>Draw in the ledger</dt>
                <dd data-testid="queue-draw-leaf">
                  {proof.draw.leafIndex === null ? (
                    "being added to the log"
                  ) : (
                    <Link href={ledgerLeafHref(proof.draw.leafIndex)}>
                      leaf {proof.draw.leafIndex}
                    </Link>
                  )}
                </dd>
              </>
            )}
            <DrawFacts
              seedHash={proof.seedHash}
              seed={proof.seed}
              drawnAt={proof.shuffledAt}
              algorithm={proof.algorithm}
              secretUntil="the start"
              notDrawn="not yet: the order is drawn at the start"
              testId="queue"
            />
          </dl>
          {mine && (
            <p className="muted small" style={{ marginBottom: 0 }}>
              Your pseudonym in this queue:{" "}
              <code className={`mono ${styles.hash}`} data-testid="queue-my-pseudonym">
                {mine}
              </code>
              . Nobody else can tell it is yours.
              {myIndex >= 0 && (
                <>
                  {" "}
                  You are{" "}
                  <Link
                    href={`/drops/${drop.id}/queue?after=${myIndex - (myIndex % PAGE_SIZE)}`}
                    data-testid="queue-my-place"
                  >
                    number {myIndex + 1} in the order
                  </Link>
                  .
                </>
              )}
            </p>
          )}
        </div>
        <CheckItYourself
          what="The proof"
          url={`/api/v1/drops/${drop.id}/queue/proof`}
          script="queue:replay"
          dropId={drop.id}
        >
          The script checks the seed against the commitment, draws the order of the entries made
          before the start again, puts the later ones behind them in join order, checks the entries,
          seed and order against the draw's entry in the public ledger, and exits 0 only if all of
          it holds. The algorithm is in <code>docs/waiting-room.md</code>.
        </CheckItYourself>
      </div>

      {proof.seed && (
        <div style={{ marginTop: 16 }}>
          <QueueReplay dropId={drop.id} />
        </div>
      )}

      {proof.page.entryCount > 0 && (
        <div style={{ marginTop: 16 }}>
          <QueueEntryCheck dropId={drop.id} entry={view?.entry ?? null} />
        </div>
      )}

      {!asked.success && (
        <p className="alert error" role="alert" data-testid="queue-page-error">
          That page of the list does not exist ({asked.error.issues[0]?.message}): here is the
          first.
        </p>
      )}
      {proof.page.next !== null || proof.page.after > 0 ? (
        <QueuePager dropId={drop.id} page={proof.page} limitChosen={query.limit !== undefined} />
      ) : null}

      {proof.order && proof.order.length > 0 && (
        <>
          <h2>The order</h2>
          <ol
            className={`mono small ${styles.list}`}
            start={proof.page.after + 1}
            data-testid="queue-order"
          >
            {proof.order.map((p) => (
              <li key={p} className={p === mine ? styles.mine : undefined}>
                {p}
                <You pseudonym={p} mine={mine} />
              </li>
            ))}
          </ol>
        </>
      )}

      <h2>Entries, in the order they joined</h2>
      {proof.page.entryCount === 0 ? (
        <p className="muted">Nobody has joined yet.</p>
      ) : proof.entries.length === 0 ? (
        <p className="muted">No more entries on this page.</p>
      ) : (
        <TableScroll label="Entries">
          <table className="small" data-testid="queue-entries">
            <thead>
              <tr>
                <th>Pseudonym</th>
                <th>Joined</th>
                <th>Queue</th>
              </tr>
            </thead>
            <tbody>
              {proof.entries.map((e) => (
                <tr key={e.pseudonym} className={e.pseudonym === mine ? styles.mine : undefined}>
                  <td className={`mono ${styles.hash}`}>
                    {e.pseudonym}
                    <You pseudonym={e.pseudonym} mine={mine} />
                  </td>
                  <td>
                    <DateTime value={e.joinedAt} />
                  </td>
                  <td>
                    {Date.parse(e.joinedAt) >= start
                      ? "after the start, in turn"
                      : proof.shuffledAt
                        ? "pre-queue, drawn"
                        : "pre-queue, drawn at the start"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
