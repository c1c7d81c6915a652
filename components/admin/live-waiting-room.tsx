"use client";

import { useActionState } from "react";
import { describeWait } from "@/components/drops/describe-wait";
import { DateTime } from "@/components/ui/date-time";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
import { usePolledAndAnswered } from "@/components/ui/use-polled";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { QueueStats } from "@/lib/queue/model";
import styles from "./admin.module.css";

/** The admin queue API's answer, when the body is one (anything else keeps the last figures). */
function pickStats(dropId: string) {
  return (body: unknown): QueueStats | undefined => {
    const stats = body as Partial<QueueStats> | null;
    return stats?.dropId === dropId && typeof stats.queueLength === "number"
      ? (stats as QueueStats)
      : undefined;
  };
}

/**
 * The admin drop page's waiting room, read every two seconds: how many wait, how many were let in
 * and claimed, the rate and the time to clear the queue at it; and a form that changes the rate
 * while the room runs.
 */
export function LiveWaitingRoom({
  dropId,
  initial,
  action: setRate,
}: {
  dropId: string;
  initial: QueueStats;
  /** setAdmissionRate bound to this drop. */
  action: FormAction<QueueStats>;
}) {
  const [state, action, pending] = useActionState<FormState<QueueStats>, FormData>(setRate, {});
  const stats = usePolledAndAnswered(
    `/api/v1/admin/drops/${dropId}/queue`,
    initial,
    pickStats(dropId),
    state.data,
  );
  const fields = useFieldErrors(state.fieldErrors);
  const figures: Array<[string, string, string]> = [
    ["Waiting", stats.queueLength.toLocaleString("en"), "queue-length"],
    ["Admitted", stats.admitted.toLocaleString("en"), "queue-admitted-count"],
    ["Claimed after admission", stats.claimedAfterAdmission.toLocaleString("en"), "queue-claimed"],
    ["Admission rate", `${stats.admissionRatePerMinute.toLocaleString("en")}/min`, "queue-rate"],
    [
      "Time to clear",
      stats.estimatedClearSeconds === null
        ? "nobody waits"
        : describeWait(stats.estimatedClearSeconds),
      "queue-clear",
    ],
  ];
  return (
    <section
      className="card"
      style={{ marginBottom: 24 }}
      aria-labelledby="waiting-room-heading"
      data-testid="admin-waiting-room"
    >
      <h2 id="waiting-room-heading" style={{ marginTop: 0 }}>
        Waiting room
      </h2>
      <p className="small muted">
        Opens <DateTime value={stats.opensAt} />.{" "}
        {stats.shuffledAt ? (
          <>
            The pre-queue was drawn <DateTime value={stats.shuffledAt} />.
          </>
        ) : (
          "The pre-queue is drawn at the start."
        )}
      </p>
      <dl className={styles.stock} aria-label="Waiting room figures">
        {figures.map(([label, value, testId]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd data-testid={testId}>{value}</dd>
          </div>
        ))}
      </dl>
      <form action={action} className="stack" noValidate data-testid="admission-rate-form">
        <FormMessages state={state} />
        <label>
          New rate (players let in per minute)
          <input
            {...fields.field("admissionRatePerMinute")}
            inputMode="numeric"
            defaultValue={state.values?.admissionRatePerMinute ?? stats.admissionRatePerMinute}
          />
          {fields.error("admissionRatePerMinute")}
        </label>
        <div>
          <button type="submit" className="secondary" disabled={pending}>
            {pending ? "Changing…" : "Change the rate"}
          </button>
        </div>
      </form>
    </section>
  );
}
