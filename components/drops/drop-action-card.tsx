"use client";

import Link from "next/link";
import { type ReactNode, useState } from "react";
import { Countdown } from "./countdown";

export type DropPhase = "upcoming" | "live" | "ended";

/**
 * The card beside a drop where a player acts (claims, or enters a draw): the server-synced
 * countdown, the last refusal in words, the action, and a note for the current phase.
 */
export function DropActionCard({
  startsAt,
  endsAt,
  serverTime,
  error,
  errorTestId,
  children,
  note,
}: {
  startsAt: string;
  endsAt: string;
  serverTime: string;
  error?: { message?: string; code?: string };
  errorTestId: string;
  children: (phase: DropPhase) => ReactNode;
  note: (phase: DropPhase) => ReactNode;
}) {
  const [phase, setPhase] = useState<DropPhase>("upcoming");
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
      {error?.message && (
        <p className="alert error" role="alert" data-testid={errorTestId} data-code={error.code}>
          {error.message}
        </p>
      )}
      {/* Refusals are in the player's audit trail; a missing sign-in or wrong role is not. */}
      {error?.message && error.code !== "unauthenticated" && error.code !== "forbidden" && (
        <p className="small">
          <Link href="/account/claims">Your claim attempts and why they were refused</Link>
        </p>
      )}
      {children(phase)}
      <p className="muted small" style={{ marginBottom: 0 }}>
        {note(phase)}
      </p>
    </div>
  );
}
