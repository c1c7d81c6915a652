"use client";

import Link from "next/link";
import { useActionState, useEffect, useState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { DropActionCard } from "./drop-action-card";

export function ClaimPanel({
  dropId,
  startsAt,
  endsAt,
  serverTime,
  signedIn,
  soldOut,
  perPlayerLimit,
  action: claim,
}: {
  dropId: string;
  startsAt: string;
  endsAt: string;
  serverTime: string;
  signedIn: boolean;
  soldOut: boolean;
  perPlayerLimit: number;
  /** The claim action bound to this drop. */
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(claim, {});
  // One key per click: a double click or a retry reuses it; each answer brings a new one.
  const [clickKey, setClickKey] = useState("");
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new answer (state) is the trigger
  useEffect(() => setClickKey(crypto.randomUUID()), [state]);
  return (
    <DropActionCard
      startsAt={startsAt}
      endsAt={endsAt}
      serverTime={serverTime}
      error={{ message: state.error, code: state.reason ?? state.code }}
      errorTestId="claim-error"
      note={(phase) => (
        <>
          {phase === "upcoming" &&
            "The server opens the drop at the start time; claims before are refused."}
          {phase === "live" &&
            (soldOut
              ? "Sold out."
              : `${perPlayerLimit === 1 ? "One unit" : `Up to ${perPlayerLimit} units`} per player. The first committed claims win.`)}
          {phase === "ended" && "This drop has ended."}
        </>
      )}
    >
      {(phase) =>
        signedIn ? (
          <form action={action}>
            <input type="hidden" name="idempotencyKey" value={clickKey} />
            {/* Before the start the button stays live: the server, not this clock, says when. */}
            <button type="submit" className="big" disabled={pending || phase === "ended"}>
              {phase === "ended" ? "Drop ended" : pending ? "Claiming…" : "Claim one unit"}
            </button>
          </form>
        ) : (
          <Link className="button big" href={`/signin?next=/drops/${dropId}`}>
            Sign in to claim
          </Link>
        )
      }
    </DropActionCard>
  );
}
