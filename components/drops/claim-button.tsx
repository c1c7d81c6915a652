"use client";

import Link from "next/link";
import { useActionState, useEffect, useState } from "react";
import { type ClaimState, claimAction } from "@/app/(player)/actions";
import { Countdown } from "./countdown";

export function ClaimPanel({
  dropId,
  startsAt,
  endsAt,
  serverTime,
  signedIn,
  soldOut,
  perPlayerLimit,
}: {
  dropId: string;
  startsAt: string;
  endsAt: string;
  serverTime: string;
  signedIn: boolean;
  soldOut: boolean;
  perPlayerLimit: number;
}) {
  const [state, action, pending] = useActionState<ClaimState, FormData>(
    claimAction.bind(null, dropId),
    {},
  );
  // One key per click: a double click or a retry reuses it; each answer brings a new one.
  const [clickKey, setClickKey] = useState("");
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new answer (state) is the trigger
  useEffect(() => setClickKey(crypto.randomUUID()), [state]);
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
          <input type="hidden" name="idempotencyKey" value={clickKey} />
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
          (soldOut
            ? "Sold out."
            : `${perPlayerLimit === 1 ? "One unit" : `Up to ${perPlayerLimit} units`} per player. The first committed claims win.`)}
        {phase === "ended" && "This drop has ended."}
      </p>
    </div>
  );
}
