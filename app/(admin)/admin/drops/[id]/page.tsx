import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { endDropAction, setDropPausedAction, updateDropAction } from "@/app/(admin)/actions";
import { DropForm, DropPreview } from "@/components/admin/drop-form";
import { DropEndEarlyForm, DropEndMoveForm } from "@/components/admin/drop-state-forms";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { getDrop } from "@/lib/drops/drops";
import { listPrizes } from "@/lib/prizes/prizes";
import { prizeChoices } from "../prize-choices";

export const metadata: Metadata = { title: "Manage drop" };

export default async function ManageDropPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageRole(`/admin/drops/${id}`, "admin");
  const db = getDb();
  const [drop, prizes] = await Promise.all([getDrop(db, id), listPrizes(db)]);
  if (!drop) notFound();
  const upcoming = drop.status === "upcoming";
  const ended = drop.status === "ended";
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link> · <Link href={`/drops/${drop.id}`}>Player page</Link>
      </p>
      <h1>
        {drop.title}{" "}
        <span className={`badge ${drop.status}`} data-testid="admin-drop-status">
          {drop.status.replace("_", " ")}
        </span>
      </h1>
      <p className="lead">
        <DateTime value={drop.startsAt} /> → <DateTime value={drop.endsAt} />
        {drop.endedEarlyAt && (
          <>
            {" "}
            (ended early <DateTime value={drop.endedEarlyAt} />)
          </>
        )}
      </p>
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
      {upcoming && (
        <>
          <h2>Saved draft</h2>
          <DropPreview drop={drop} allocation={drop.allocation} />
        </>
      )}
    </>
  );
}
