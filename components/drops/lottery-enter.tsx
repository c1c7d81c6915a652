"use client";

import Link from "next/link";
import { useActionState } from "react";
import { DateTime } from "@/components/ui/date-time";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { LotteryEntryView, LotteryWin } from "@/lib/lottery/model";
import { DropActionCard } from "./drop-action-card";

/** The drop page's panel for a lottery: "Enter the draw" while the window is open. */
export function LotteryEnterPanel({
  dropId,
  serverTime,
  signedIn,
  units,
  entry,
  win,
  action: enter,
}: {
  dropId: string;
  serverTime: string;
  signedIn: boolean;
  units: number;
  /** The signed-in player's entry, if they already entered. */
  entry?: LotteryEntryView;
  /** The signed-in player's unit, once the draw has picked them. */
  win?: LotteryWin;
  /** The entry action bound to this drop. */
  action: FormAction<LotteryEntryView>;
}) {
  const [state, action, pending] = useActionState<FormState<LotteryEntryView>, FormData>(enter, {
    data: entry,
  });
  const entered = state.data;
  return (
    <DropActionCard
      serverTime={serverTime}
      error={{ message: state.error, code: state.reason ?? state.code }}
      errorTestId="lottery-error"
      note={(phase) => (
        <>
          {phase === "upcoming" && "Entries open at the start time."}
          {phase === "paused" && "The organisers paused entries for now."}
          {phase === "live" &&
            `A lottery: enter before the end; ${units} winner${units === 1 ? " is" : "s are"} drawn when it closes. Gold counts 4×, silver 2×, bronze 1×.`}
          {phase === "ended" &&
            (win
              ? "The draw is made."
              : "Entries are closed; the draw happens as soon as the window ends.")}{" "}
          <Link href={`/drops/${dropId}/lottery`}>How the draw is made fair</Link>
        </>
      )}
    >
      {(phase) =>
        win ? (
          <div className="alert success" data-testid="lottery-won">
            You won in the draw!{" "}
            <Link href={`/redemptions/${win.redemptionId}`}>
              {win.actionDeadline ? "Give your shipping address" : "See your prize"}
            </Link>
            {win.actionDeadline && (
              <>
                {" "}
                by <DateTime value={win.actionDeadline} />
              </>
            )}
            .
          </div>
        ) : entered ? (
          <div className="alert success" data-testid="lottery-entered">
            You are in the draw with weight {entered.weight}. Your entrant id is{" "}
            <code className="mono" data-testid="lottery-entrant" style={{ wordBreak: "break-all" }}>
              {entered.entrant}
            </code>
            .
          </div>
        ) : signedIn ? (
          <form action={action}>
            <button type="submit" className="big" disabled={pending || phase !== "live"}>
              {pending ? "Entering…" : "Enter the draw"}
            </button>
          </form>
        ) : (
          <Link className="button big" href={`/signin?next=/drops/${dropId}`}>
            Sign in to enter
          </Link>
        )
      }
    </DropActionCard>
  );
}
