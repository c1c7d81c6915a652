"use client";

import { useState } from "react";
import type { FieldErrorLinks } from "@/components/ui/form-messages";
import { QUEUE_DEFAULTS, type WaitingRoomSettings } from "@/lib/queue/model";

type Setting = keyof Omit<WaitingRoomSettings, "enabled">;

/** The room's numbers, each an input named after its setting. */
const numbers: Array<[Setting, string]> = [
  ["preQueueMinutes", "Pre-queue opens (minutes before the start)"],
  ["admissionRatePerMinute", "Players let in per minute"],
  ["admissionTtlSeconds", "Seconds each has to claim"],
];

/**
 * The drop form's waiting room: on or off, how long before the start its pre-queue opens, how
 * many players a minute are let in to claim, and how long each has to claim. Until the admin
 * ticks or unticks it, a new drop's box follows its size: on from `threshold` units, as the
 * server would decide for a drop created without saying.
 */
export function WaitingRoomFields({
  saved,
  typed,
  units,
  threshold,
  fields,
}: {
  /** The drop's room as saved; none for a new drop (or one that never had a room). */
  saved: WaitingRoomSettings | null;
  /** What a refused submission carried, to show again. */
  typed: Record<string, string> | undefined;
  /** The units of the pools as typed. */
  units: number;
  threshold: number;
  fields: FieldErrorLinks;
}) {
  const [chosen, setChosen] = useState<boolean | null>(
    typed ? typed.waitingRoom === "on" : (saved?.enabled ?? null),
  );
  const enabled = chosen ?? units >= threshold;
  const value = (name: Setting) => typed?.[name] ?? String(saved?.[name] ?? QUEUE_DEFAULTS[name]);
  return (
    <fieldset
      className="full"
      style={{ border: "1px solid var(--line)", borderRadius: 10 }}
      data-testid="waiting-room-fields"
    >
      <legend>Waiting room</legend>
      <p className="small muted" style={{ marginTop: 0 }}>
        Players join a queue before the start; at the start those waiting are put in a random order
        anyone can check, and they are let in to claim a batch at a time. On by default for a drop
        of {threshold.toLocaleString("en")} units or more.
      </p>
      <label className="row" style={{ display: "flex" }}>
        <input
          type="checkbox"
          {...fields.field("waitingRoom")}
          checked={enabled}
          onChange={(event) => setChosen(event.target.checked)}
        />{" "}
        Waiting room on
      </label>
      {fields.error("waitingRoom")}
      <div className="rules-grid" style={{ marginTop: 12 }}>
        {numbers.map(([name, label]) => (
          <label key={name}>
            {label}
            <input {...fields.field(name)} inputMode="numeric" defaultValue={value(name)} />
            {fields.error(name)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
