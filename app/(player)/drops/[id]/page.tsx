import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { claimAction } from "@/app/(player)/actions";
import { enterLotteryAction } from "@/app/(player)/drops/[id]/lottery/actions";
import { ClaimPanel } from "@/components/drops/claim-button";
import { DropFacts, DropHeading } from "@/components/drops/drop-details";
import { LiveRemaining } from "@/components/drops/live-remaining";
import { LotteryEnterPanel } from "@/components/drops/lottery-enter";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { databaseNow, getDrop } from "@/lib/drops/drops";
import { findLotteryEntry, findLotteryWin } from "@/lib/lottery/lottery";

export const metadata: Metadata = { title: "Drop" };

export default async function DropPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const db = getDb();
  const [drop, serverTime, user] = await Promise.all([
    getDrop(db, id),
    databaseNow(db),
    currentUser(),
  ]);
  if (!drop) notFound();
  const [entry, win] =
    drop.allocation === "lottery" && user?.role === "player"
      ? await Promise.all([
          findLotteryEntry(db, drop.id, user.id),
          findLotteryWin(db, drop.id, user.id),
        ])
      : [undefined, undefined];
  return (
    <>
      <DropHeading drop={drop} />
      <div className="grid two">
        <DropFacts
          drop={drop}
          remaining={<LiveRemaining dropId={drop.id} initial={drop.remaining} units={drop.units} />}
        />
        {drop.allocation === "lottery" ? (
          <LotteryEnterPanel
            dropId={drop.id}
            startsAt={drop.startsAt}
            endsAt={drop.endsAt}
            serverTime={serverTime}
            signedIn={Boolean(user)}
            units={drop.units}
            entry={entry}
            win={win}
            action={enterLotteryAction.bind(null, drop.id)}
          />
        ) : (
          <ClaimPanel
            dropId={drop.id}
            startsAt={drop.startsAt}
            endsAt={drop.endsAt}
            serverTime={serverTime}
            signedIn={Boolean(user)}
            soldOut={drop.remaining === 0}
            perPlayerLimit={drop.perPlayerLimit}
            action={claimAction.bind(null, drop.id)}
          />
        )}
      </div>
    </>
  );
}
