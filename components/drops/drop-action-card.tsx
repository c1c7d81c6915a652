"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import type { DropStatus } from "@/lib/drops/model";
import { Countdown } from "./countdown";
import { useLiveDrop } from "./live-drop";

/**
 * The card beside a drop where a player acts (claims, or enters a draw): the server-synced
 * countdown, the last refusal in words, the action, and a note for the drop's status, all
 * following the drop live (inside LiveDropProvider).
 */
export function DropActionCard({
  serverTime,
  error,
  errorTestId,
  children,
  note,
}: {
  serverTime: string;
  error?: { message?: string; code?: string };
  errorTestId: string;
  children: (status: DropStatus) => ReactNode;
  note: (status: DropStatus) => ReactNode;
}) {
  const { state, status } = useLiveDrop();
  return (
    <div className="card">
      <p style={{ margin: "0 0 12px" }}>
        <Countdown startsAt={state.startsAt} endsAt={state.endsAt} serverTime={serverTime} />
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
      {children(status)}
      <p
        className="muted small"
        style={{ marginBottom: 0 }}
        aria-live="polite"
        data-testid="drop-note"
      >
        {note(status)}
      </p>
    </div>
  );
}
