"use client";

import Link from "next/link";
import { type ReactNode, useActionState, useEffect, useState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { HeldClaim } from "@/lib/claims/model";
import type { DropStatus } from "@/lib/drops/model";
import { ADMISSION_FIELD } from "@/lib/queue/model";
import { DropActionCard } from "./drop-action-card";

/** What the claim button says when it cannot be pressed: why not. */
const closedLabels: Partial<Record<DropStatus, string>> = {
  upcoming: "Opens at the start",
  paused: "Paused for now",
  sold_out: "Sold out",
  ended: "Drop ended",
};

function claimNote(status: DropStatus, perPlayerLimit: number): string {
  switch (status) {
    case "upcoming":
      return "Claims open at the start time, by the server's clock; the button wakes up then.";
    case "paused":
      return "The organisers paused this drop; the button comes back when they resume it.";
    case "sold_out":
      return "Every unit of this drop has been claimed.";
    case "ended":
      return "This drop has ended.";
    case "live":
      return `${perPlayerLimit === 1 ? "One unit" : `Up to ${perPlayerLimit} units`} per player. The first committed claims win.`;
  }
}

export function ClaimPanel({
  dropId,
  serverTime,
  signedIn,
  claimed,
  perPlayerLimit,
  admission,
  lead,
  action: claim,
}: {
  dropId: string;
  serverTime: string;
  signedIn: boolean;
  /** The signed-in player's redemptions of this drop, newest first. */
  claimed: string[];
  perPlayerLimit: number;
  /** The waiting room's admission token, sent with the claim of a queued drop. */
  admission?: string;
  /** Shown above the button while the player may claim (the admission's countdown). */
  lead?: ReactNode;
  /** The claim action bound to this drop. */
  action: FormAction<HeldClaim>;
}) {
  const [state, action, pending] = useActionState<FormState<HeldClaim>, FormData>(claim, {});
  // One key per click: a double click or a retry reuses it; each answer brings a new one.
  const [clickKey, setClickKey] = useState("");
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new answer (state) is the trigger
  useEffect(() => setClickKey(crypto.randomUUID()), [state]);
  // A claim answered "already claimed" (another tab, a reload mid-claim) names the one held.
  const newest = state.data?.redemptionId ?? claimed[0];
  const held = state.data !== undefined || claimed.length >= perPlayerLimit;
  return (
    <DropActionCard
      serverTime={serverTime}
      error={held ? undefined : { message: state.error, code: state.reason ?? state.code }}
      errorTestId="claim-error"
      note={(status) => claimNote(status, perPlayerLimit)}
    >
      {(status) =>
        held && newest ? (
          <p className="alert success" data-testid="claimed-already">
            You claimed this.{" "}
            <Link href={`/redemptions/${newest}`}>See your prize and its receipt</Link>
          </p>
        ) : signedIn ? (
          <form action={action}>
            <input type="hidden" name="idempotencyKey" value={clickKey} />
            {admission && <input type="hidden" name={ADMISSION_FIELD} value={admission} />}
            {lead}
            {newest && (
              <p className="small" data-testid="claimed-some">
                You claimed {claimed.length} of {perPlayerLimit} units:{" "}
                <Link href={`/redemptions/${newest}`}>see your newest</Link>.
              </p>
            )}
            {/* The server judges the window again at the claim: this clock only spares a refusal. */}
            <button type="submit" className="big" disabled={pending || status !== "live"}>
              {closedLabels[status] ??
                (pending ? "Claiming…" : newest ? "Claim another unit" : "Claim one unit")}
            </button>
          </form>
        ) : status === "ended" || status === "sold_out" ? null : (
          <Link className="button big" href={`/signin?next=/drops/${dropId}`}>
            Sign in to claim
          </Link>
        )
      }
    </DropActionCard>
  );
}
