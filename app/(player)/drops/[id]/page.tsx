import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { claimAction } from "@/app/(player)/actions";
import { enterLotteryAction } from "@/app/(player)/drops/[id]/lottery/actions";
import { joinQueueAction, leaveQueueAction } from "@/app/(player)/drops/[id]/queue/actions";
import { ClaimPanel } from "@/components/drops/claim-button";
import { DropHeading } from "@/components/drops/drop-details";
import { LiveDropFacts, LiveDropProvider, LiveDropStatus } from "@/components/drops/live-drop";
import { LotteryEnterPanel } from "@/components/drops/lottery-enter";
import { WaitingRoomPanel, WaitingRoomSignIn } from "@/components/drops/waiting-room";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { findPlayerDropClaims } from "@/lib/claims/player-claims";
import { findQueueStats, findQueueView } from "@/lib/drops/drop-queue";
import { databaseNow, getDropWithLiveState } from "@/lib/drops/drops";
import { findLotteryEntry, findLotteryWin } from "@/lib/lottery/lottery";

export const metadata: Metadata = { title: "Drop" };

export default async function DropPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const db = getDb();
  const [found, serverTime, user] = await Promise.all([
    getDropWithLiveState(db, id),
    databaseNow(db),
    currentUser(),
  ]);
  if (!found) notFound();
  const { drop, live } = found;
  const player = user?.role === "player" ? user : undefined;
  const [entry, win] =
    drop.allocation === "lottery" && player
      ? await Promise.all([
          findLotteryEntry(db, drop.id, player.id),
          findLotteryWin(db, drop.id, player.id),
        ])
      : [undefined, undefined];
  // What the player already holds, so a reload after (or during) a claim says so.
  const claimed =
    drop.allocation === "first_come" && player
      ? await findPlayerDropClaims(db, drop.id, player.id)
      : [];
  // A drop with a waiting room on: a player sees their place, anyone else when it opens.
  const [queue, queueStats] = !drop.waitingRoom
    ? [undefined, undefined]
    : player
      ? [await findQueueView(db, { dropId: drop.id, playerId: player.id }), undefined]
      : [undefined, await findQueueStats(db, drop.id)];
  return (
    <LiveDropProvider dropId={drop.id} initial={live} serverTime={serverTime}>
      <DropHeading drop={drop} status={<LiveDropStatus />} />
      <div className="grid two">
        <LiveDropFacts drop={drop} />
        {drop.allocation === "lottery" ? (
          <LotteryEnterPanel
            dropId={drop.id}
            serverTime={serverTime}
            signedIn={Boolean(user)}
            units={drop.units}
            entry={entry}
            win={win}
            action={enterLotteryAction.bind(null, drop.id)}
          />
        ) : queue?.enabled ? (
          <WaitingRoomPanel
            dropId={drop.id}
            serverTime={serverTime}
            initial={queue}
            claimed={claimed}
            perPlayerLimit={drop.perPlayerLimit}
            join={joinQueueAction.bind(null, drop.id)}
            leave={leaveQueueAction.bind(null, drop.id)}
            claim={claimAction.bind(null, drop.id)}
          />
        ) : queueStats?.enabled ? (
          <WaitingRoomSignIn
            dropId={drop.id}
            serverTime={serverTime}
            opensAt={queueStats.opensAt}
            signedIn={Boolean(user)}
          />
        ) : (
          <ClaimPanel
            dropId={drop.id}
            serverTime={serverTime}
            signedIn={Boolean(user)}
            claimed={claimed}
            perPlayerLimit={drop.perPlayerLimit}
            action={claimAction.bind(null, drop.id)}
          />
        )}
      </div>
    </LiveDropProvider>
  );
}
