"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { type ClaimState, claimAction } from "@/app/(player)/actions";
import { Countdown } from "./countdown";

export function ClaimPanel({
  dropId,
  startsAt,
  endsAt,
  serverTime,
  signedIn,
  soldOut,
}: {
  dropId: string;
  startsAt: string;
  endsAt: string;
  serverTime: string;
  signedIn: boolean;
  soldOut: boolean;
}) {
  const [state, action, pending] = useActionState<ClaimState>(claimAction.bind(null, dropId), {});
  const [phase, setPhase] = useState<"upcoming" | "live" | "ended">("upcoming");
  return (
    <div className="card">
      <p style={{ margin: "0 0 12px" }}>
        <Countdown
          startsAt={startsAt}
          endsAt={endsAt}
          serverTime={serverTime}
          onPhaseChange={setPhase}
        />
      </p>
      {state.error && (
        <p className="alert error" role="alert" data-testid="claim-error" data-code={state.code}>
          {state.error}
        </p>
      )}
      {signedIn ? (
        <form action={action}>
          <button type="submit" className="big" disabled={pending}>
            {pending ? "Claiming…" : "Claim one unit"}
          </button>
        </form>
      ) : (
        <Link className="button big" href={`/signin?next=/drops/${dropId}`}>
          Sign in to claim
        </Link>
      )}
      <p className="muted small" style={{ marginBottom: 0 }}>
        {phase === "upcoming" &&
          "The server opens the drop at the start time; claims before are refused."}
        {phase === "live" &&
          (soldOut ? "Sold out." : "One unit per player. The first committed claims win.")}
        {phase === "ended" && "This drop has ended."}
      </p>
    </div>
  );
}
