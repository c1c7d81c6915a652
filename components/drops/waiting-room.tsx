"use client";

import Link from "next/link";
import { useActionState, useEffect, useState } from "react";
import { DateTime } from "@/components/ui/date-time";
import { usePolledAndAnswered } from "@/components/ui/use-polled";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { HeldClaim } from "@/lib/claims/model";
import { type QueueState, type QueueView, queuePollDelayMs, queueStates } from "@/lib/queue/model";
import { ClaimPanel } from "./claim-button";
import { formatRemaining } from "./countdown";
import { describeWait } from "./describe-wait";
import { DropActionCard } from "./drop-action-card";
import { MyQueueEntry } from "./queue-entry-check";
import { useServerClock } from "./use-server-clock";
import styles from "./waiting-room.module.css";

/** The view the queue API answers, when the body is one (anything else keeps the last one). */
function pickView(dropId: string) {
  return (body: unknown): QueueView | undefined => {
    const view = body as Partial<QueueView> | null;
    return view?.dropId === dropId && queueStates.includes(view.state as QueueState)
      ? (view as QueueView)
      : undefined;
  };
}

/** Milliseconds left of an admission by the server's clock, ticking; null without one. */
function useAdmissionLeft(
  serverTime: string,
  now: () => number,
  expiresAt: string | undefined,
): number | null {
  const [t, setT] = useState(() => Date.parse(serverTime));
  useEffect(() => {
    if (!expiresAt) return;
    setT(now());
    const timer = setInterval(() => setT(now()), 250);
    return () => clearInterval(timer);
  }, [expiresAt, now]);
  return expiresAt ? Date.parse(expiresAt) - t : null;
}

/** Where the player stands after the start: three figures, and one sentence read out as they move. */
function QueuePlace({ view }: { view: QueueView }) {
  const wait = describeWait(view.estimatedWaitSeconds);
  const ahead = view.ahead ?? 0;
  return (
    <>
      <dl className={styles.figures} data-testid="queue-place">
        <div>
          <dt>Your place</dt>
          <dd data-testid="queue-position">{view.position ?? "–"}</dd>
        </div>
        <div>
          <dt>Ahead of you</dt>
          <dd data-testid="queue-ahead">{view.ahead ?? "–"}</dd>
        </div>
        <div>
          <dt>Estimated wait</dt>
          <dd className={styles.words} data-testid="queue-wait">
            {wait}
          </dd>
        </div>
      </dl>
      <p className="sr-only" aria-live="polite" aria-atomic="true">
        You are number {view.position} in the queue, with {ahead}{" "}
        {ahead === 1 ? "person" : "people"} ahead of you; estimated wait {wait}.
      </p>
    </>
  );
}

/** The seed's commitment, published when the pre-queue opens. */
function SeedCommitment({ dropId, seedHash }: { dropId: string; seedHash: string }) {
  return (
    <div className="small">
      <p style={{ marginBottom: 4 }}>
        The order is drawn from a secret seed whose SHA-256 is published now:
      </p>
      <code className={`mono ${styles.hashLine}`} data-testid="queue-seed-hash">
        {seedHash}
      </code>
      <p>
        The seed is revealed at the start, so that{" "}
        <Link href={`/drops/${dropId}/queue`}>anyone can check the order</Link>.
      </p>
    </div>
  );
}

/** The queue's state in words, and the player's one action in it (join, or join again). */
function QueueBody({
  dropId,
  view,
  pending,
}: {
  dropId: string;
  view: QueueView;
  pending: boolean;
}) {
  const join = (label: string) => (
    <button type="submit" name="intent" value="join" className="big" disabled={pending}>
      {pending ? "Joining…" : label}
    </button>
  );
  const leave = (consequence: string) => (
    <div className={styles.leave}>
      <p className="small muted" style={{ margin: 0 }}>
        {consequence}
      </p>
      <button type="submit" name="intent" value="leave" className="secondary" disabled={pending}>
        {pending ? "Leaving…" : "Leave the queue"}
      </button>
    </div>
  );
  switch (view.state) {
    case "not_open":
      return (
        <p data-testid="queue-not-open">
          This drop has a waiting room. It opens at <DateTime value={view.opensAt} />: join any time
          before the start, and at the start everyone waiting is put in a random order.
        </p>
      );
    case "not_joined":
      return (
        <>
          <p data-testid="queue-not-joined">
            {view.seed === null
              ? "The waiting room is open. Everyone who joins before the start is put in a random order at the start; it makes no difference how early you join."
              : `The drop has started: joining puts you at the back of the queue, behind ${view.queueLength} ${view.queueLength === 1 ? "person" : "people"} waiting.`}
          </p>
          {join("Join the queue")}
        </>
      );
    case "pre_queue":
      return (
        <>
          <p className="alert success" data-testid="queue-joined">
            You're in the queue; the order is drawn at the start. You can leave this page: your
            place is kept by your account.
          </p>
          <SeedCommitment dropId={dropId} seedHash={view.seedHash} />
          {leave(
            "Changed your mind? Leave the queue. Until the start, joining again gives you the same chance as everyone else.",
          )}
        </>
      );
    case "waiting":
      return (
        <>
          <QueuePlace view={view} />
          <p className="small" style={{ margin: 0 }}>
            Players are let in at {view.admissionRatePerMinute.toLocaleString("en")} a minute. When
            it is your turn, the claim button appears here. Your place is kept by your account if
            you leave this page.
          </p>
          {leave("Leaving the queue gives up your place: joining again puts you at the back.")}
        </>
      );
    case "admission_expired":
      return (
        <>
          <p className="alert error" data-testid="queue-expired">
            Your turn came, but the time to claim ran out. Join again to get a new place at the back
            of the queue.
          </p>
          {join("Join the queue again")}
        </>
      );
    case "closed":
      return (
        <p data-testid="queue-closed">
          The waiting room is closed: nobody else is let in to claim.
        </p>
      );
    case "admitted":
      return null;
  }
}

/**
 * The drop page's panel for a drop with a waiting room, for a signed-in player: when it opens,
 * joining, the place and wait (live), then the claim button with the admission's token and a
 * countdown to its expiry. The place is held by the account, so a returning player sees it again.
 */
export function WaitingRoomPanel({
  dropId,
  serverTime,
  initial,
  claimed,
  perPlayerLimit,
  join: joinAction,
  leave: leaveAction,
  claim,
}: {
  dropId: string;
  serverTime: string;
  initial: QueueView;
  /** The player's redemptions of this drop, newest first. */
  claimed: string[];
  perPlayerLimit: number;
  /** joinQueue bound to this drop. */
  join: FormAction<QueueView>;
  /** leaveQueue bound to this drop. */
  leave: FormAction<QueueView>;
  /** The claim action bound to this drop. */
  claim: FormAction<HeldClaim>;
}) {
  // One form, two buttons: the one pressed says whether to join or to leave.
  const [joined, join, pending] = useActionState<FormState<QueueView>, FormData>(
    (prev, form) => (form.get("intent") === "leave" ? leaveAction : joinAction)(prev, form),
    {},
  );
  const now = useServerClock(serverTime);
  // The place, read again sooner the nearer the turn, or what the form answered if that came later.
  const view = usePolledAndAnswered(
    `/api/v1/drops/${dropId}/queue`,
    initial,
    pickView(dropId),
    joined.data,
    (polled) => queuePollDelayMs(polled, now(), Math.random()),
  );
  const left = useAdmissionLeft(serverTime, now, view.admission?.expiresAt);
  const admitted = view.state === "admitted" && view.admission && left !== null && left > 0;
  // A player holding every unit they may claim sees what they hold, not the queue.
  if (admitted || claimed.length >= perPlayerLimit) {
    return (
      <ClaimPanel
        dropId={dropId}
        serverTime={serverTime}
        signedIn
        claimed={claimed}
        perPlayerLimit={perPlayerLimit}
        admission={view.admission?.token}
        lead={
          <p className="alert success" role="status" data-testid="queue-admitted">
            It's your turn. Claim within{" "}
            <span className="countdown" data-testid="admission-left">
              {formatRemaining(left ?? 0)}
            </span>
            ; after that your place is given up.
          </p>
        }
        action={claim}
      />
    );
  }
  // The countdown ran out before the next read said so: show it expired now.
  const shown: QueueView =
    view.state === "admitted" ? { ...view, state: "admission_expired", admission: null } : view;
  return (
    <DropActionCard
      serverTime={serverTime}
      error={{ message: joined.error, code: joined.reason ?? joined.code }}
      errorTestId="queue-error"
      note={() => (
        <Link href={`/drops/${dropId}/queue`}>How the queue's order is drawn, and the proof</Link>
      )}
    >
      {() => (
        <form action={join} data-testid="waiting-room" data-state={shown.state}>
          <QueueBody dropId={dropId} view={shown} pending={pending} />
          {shown.pseudonym &&
            shown.entry &&
            (shown.state === "pre_queue" || shown.state === "waiting") && (
              <MyQueueEntry dropId={dropId} pseudonym={shown.pseudonym} entry={shown.entry} />
            )}
        </form>
      )}
    </DropActionCard>
  );
}

/** For a visitor or a non-player account: the drop has a waiting room, and how to get in. */
export function WaitingRoomSignIn({
  dropId,
  serverTime,
  opensAt,
  signedIn,
}: {
  dropId: string;
  serverTime: string;
  opensAt: string;
  signedIn: boolean;
}) {
  return (
    <DropActionCard
      serverTime={serverTime}
      errorTestId="queue-error"
      note={() => (
        <Link href={`/drops/${dropId}/queue`}>How the queue's order is drawn, and the proof</Link>
      )}
    >
      {() => (
        <>
          <p data-testid="queue-sign-in">
            This drop has a waiting room, open from <DateTime value={opensAt} />. Players join it,
            and at the start everyone waiting is put in a random order; your place is kept by your
            account.
          </p>
          {signedIn ? (
            <p className="small muted">Only player accounts can join.</p>
          ) : (
            <Link className="button big" href={`/signin?next=/drops/${dropId}`}>
              Sign in to join the queue
            </Link>
          )}
        </>
      )}
    </DropActionCard>
  );
}
