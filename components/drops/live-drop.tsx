"use client";

import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { useEventStream } from "@/components/live/use-event-stream";
import { type DropLiveState, type DropStatus, dropStatusAt } from "@/lib/drops/model";
import { type DropDetailsData, DropFacts, DropStatusBadge } from "./drop-details";
import { RemainingMeter } from "./live-remaining";
import { useServerClock } from "./use-server-clock";

/** Announced on `window` whenever the drop's pushed state moves. */
export const DROP_MOVED_EVENT = "prizeledger:drop-moved";

export type LiveDrop = { state: DropLiveState; status: DropStatus };

const LiveDropContext = createContext<LiveDrop | undefined>(undefined);

/**
 * Keeps a drop page's parts (badge, remaining, action card) on the drop as it is now: what admins
 * and claims change comes pushed through the drop's event stream; the start and the end come
 * from the server's clock, kept in this browser, at the very moment they pass.
 */
export function LiveDropProvider({
  dropId,
  initial,
  serverTime,
  children,
}: {
  dropId: string;
  initial: DropLiveState;
  serverTime: string;
  children: ReactNode;
}) {
  // A player's tab already holds two streams (bell, balances): a hidden one lets this one go.
  const state = useEventStream(
    `/api/v1/drops/${dropId}/stream`,
    "drop",
    initial,
    DROP_MOVED_EVENT,
    {
      whileVisible: true,
    },
  );
  const status = useStatusAt(state, useServerClock(serverTime));
  return <LiveDropContext value={{ state, status }}>{children}</LiveDropContext>;
}

/** The drop as it is now; only inside LiveDropProvider. */
export function useLiveDrop(): LiveDrop {
  const live = useContext(LiveDropContext);
  if (!live) throw new Error("useLiveDrop outside LiveDropProvider");
  return live;
}

/** setTimeout's longest wait; a boundary further away is waited for in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The status by `now`, moved on by a timer set for the next boundary (the start, the end). */
function useStatusAt(state: DropLiveState, now: () => number): DropStatus {
  const [status, setStatus] = useState(() => dropStatusAt(state, now()));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const update = () => {
      const t = now();
      setStatus(dropStatusAt(state, t));
      // A timer may fire a little early: the boundary is then still ahead, and waited for again.
      const next = [Date.parse(state.startsAt), Date.parse(state.endsAt)].find((b) => b > t);
      if (next !== undefined) timer = setTimeout(update, Math.min(next - t, MAX_TIMEOUT_MS));
    };
    update();
    return () => clearTimeout(timer);
  }, [state, now]);
  return status;
}

/** The drop's status badge as it is now, read out when it changes. */
export function LiveDropStatus() {
  const { state, status } = useLiveDrop();
  return (
    <span aria-live="polite">
      <DropStatusBadge status={status} endedEarlyAt={state.endedEarlyAt} />
    </span>
  );
}

/** The drop's facts with its window as it is now (a start moved, an end brought forward). */
export function LiveDropFacts({ drop }: { drop: DropDetailsData }) {
  const { state } = useLiveDrop();
  return (
    <DropFacts
      drop={{ ...drop, startsAt: state.startsAt, endsAt: state.endsAt }}
      remaining={<RemainingMeter remaining={state.remaining} units={state.units} />}
    />
  );
}
