import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import {
  endDropAction,
  setAdmissionRateAction,
  setDropPausedAction,
  startDropNowAction,
  updateDropAction,
} from "@/app/(admin)/actions";
import { CreatedNotice } from "@/components/admin/created-notice";
import { DropCodePools } from "@/components/admin/drop-code-pools";
import { DropForm, DropPreview } from "@/components/admin/drop-form";
import { DropRedemptions } from "@/components/admin/drop-redemptions";
import {
  DropEndEarlyForm,
  DropEndMoveForm,
  DropStartNowForm,
} from "@/components/admin/drop-state-forms";
import { LiveDropSummary } from "@/components/admin/live-drop-summary";
import { LiveWaitingRoom } from "@/components/admin/live-waiting-room";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { env } from "@/lib/config/env";
import { findQueueStats } from "@/lib/drops/drop-queue";
import { dropCodeCoverage, getDrop } from "@/lib/drops/drops";
import { listPrizes } from "@/lib/prizes/prizes";
import { getWaitingRoomSettings } from "@/lib/queue/settings";
import { searchRedemptions } from "@/lib/redemptions/search-redemptions";
import { prizeChoices } from "../prize-choices";

export const metadata: Metadata = { title: "Manage drop" };

/** The newest redemptions listed here; the rest are in the admin redemptions list. */
const NEWEST = 10;

export default async function ManageDropPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ created?: string | string[] }>;
}) {
  const { id } = await params;
  await requirePageRole(`/admin/drops/${id}`, "admin");
  const db = getDb();
  const drop = await getDrop(db, id);
  if (!drop) notFound();
  const upcoming = drop.status === "upcoming";
  const ended = drop.status === "ended";
  // The page renders again as claims arrive: it reads only what its state shows.
  const [prizes, waitingRoom, codePools, newest, queue, { created }] = await Promise.all([
    upcoming ? listPrizes(db) : [],
    upcoming ? getWaitingRoomSettings(db, drop.id) : null,
    dropCodeCoverage(db, drop.id),
    upcoming ? undefined : searchRedemptions(db, { dropId: drop.id, limit: NEWEST }),
    drop.allocation === "first_come" ? findQueueStats(db, drop.id) : undefined,
    searchParams,
  ]);
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link> · <Link href={`/drops/${drop.id}`}>Player page</Link> ·{" "}
        <Link href={`/admin/drops/${drop.id}/report`} data-testid="drop-report-link">
          Report
        </Link>
      </p>
      <CreatedNotice created={created} what={`Drop “${drop.title}”`} />
      {/* Keyed on what the server read: a re-render after an action starts from its figures. */}
      <LiveDropSummary
        key={`${drop.status}:${drop.remaining}`}
        dropId={drop.id}
        title={drop.title}
        initial={drop}
      >
        <p className="lead">
          <DateTime value={drop.startsAt} /> → <DateTime value={drop.endsAt} />
          {drop.endedEarlyAt && (
            <>
              {" "}
              (ended early <DateTime value={drop.endedEarlyAt} />)
            </>
          )}
        </p>
      </LiveDropSummary>
      {codePools.length > 0 && <DropCodePools pools={codePools} />}
      {queue?.enabled && !ended && (
        <LiveWaitingRoom
          dropId={drop.id}
          initial={queue}
          action={setAdmissionRateAction.bind(null, drop.id)}
        />
      )}
      {upcoming && (
        <section className="card" style={{ marginBottom: 24 }} aria-labelledby="start-now-heading">
          <h2 id="start-now-heading" style={{ marginTop: 0 }}>
            Start now
          </h2>
          <DropStartNowForm
            queued={queue?.enabled === true}
            action={startDropNowAction.bind(null, drop.id)}
          />
        </section>
      )}
      {upcoming ? (
        <>
          <h2>Edit before the start</h2>
          <p className="small muted">
            Everything can change until the drop starts. After that only its end can move later, and
            it can be paused, resumed or ended early.
          </p>
          <DropForm
            drop={drop}
            prizes={prizeChoices(
              prizes,
              drop.pools.map((p) => ({ prizeId: p.prize.id, units: p.units })),
            )}
            waitingRoom={waitingRoom}
            waitingRoomThreshold={env().WAITING_ROOM_THRESHOLD}
            action={updateDropAction.bind(null, drop.id)}
          />
        </>
      ) : ended ? (
        <p className="alert info">This drop has ended; it can no longer be changed.</p>
      ) : (
        <div className="grid two">
          <div className="card">
            <h2 style={{ marginTop: 0 }}>Running</h2>
            <p className="small">
              The drop has started: its pools, rules and start are fixed because players already
              claim under them.
            </p>
            <form action={setDropPausedAction.bind(null, drop.id, drop.status !== "paused")}>
              <button type="submit" className="secondary" data-testid="pause-toggle">
                {drop.status === "paused" ? "Resume" : "Pause"}
              </button>
            </form>
            <h3>Move the end later</h3>
            <DropEndMoveForm endsAt={drop.endsAt} action={updateDropAction.bind(null, drop.id)} />
          </div>
          <div className="card">
            <h2 style={{ marginTop: 0 }}>End early</h2>
            <DropEndEarlyForm
              lottery={drop.allocation === "lottery"}
              action={endDropAction.bind(null, drop.id)}
            />
          </div>
        </div>
      )}
      {newest ? (
        <DropRedemptions dropId={drop.id} page={newest} />
      ) : (
        <>
          <h2>Saved draft</h2>
          <DropPreview drop={drop} allocation={drop.allocation} />
        </>
      )}
    </>
  );
}
