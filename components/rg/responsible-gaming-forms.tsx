"use client";

import { useActionState } from "react";
import { DateTime } from "@/components/ui/date-time";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import {
  COOL_OFF_MAX_DAYS,
  type LimitView,
  rgLimitKindLabels,
  rgLimitKinds,
  rgPeriodLabels,
  rgPeriods,
  SESSION_REMINDER_CHOICES,
  selfExclusionTermLabels,
  selfExclusionTerms,
} from "@/lib/rg/model";

/** The nine limits in one form; a field shows a waiting raise, so saving again keeps it. */
export function LimitsForm({ limits, action: save }: { limits: LimitView[]; action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(save, {});
  const fields = useFieldErrors(state.fieldErrors);
  const shown = (l: LimitView) => {
    const name = `${l.kind}.${l.period}`;
    return state.values?.[name] ?? (l.pending ? (l.pending.amount ?? "") : (l.amount ?? ""));
  };
  return (
    <form
      action={action}
      className="card stack"
      style={{ maxWidth: "none" }}
      aria-label="Limits"
      noValidate
    >
      <FormMessages state={state} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Limit</th>
              {rgPeriods.map((p) => (
                <th key={p}>{rgPeriodLabels[p]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rgLimitKinds.map((kind) => (
              <tr key={kind}>
                <th scope="row">{rgLimitKindLabels[kind]}</th>
                {rgPeriods.map((period) => {
                  const l = limits.find((x) => x.kind === kind && x.period === period);
                  const name = `${kind}.${period}`;
                  if (!l) return <td key={period} />;
                  return (
                    <td
                      key={`${name}:${l.amount}:${l.pending?.amount}`}
                      data-testid={`limit-${name}`}
                    >
                      <input
                        inputMode="decimal"
                        placeholder="No limit"
                        aria-label={`${rgLimitKindLabels[kind]}, ${rgPeriodLabels[period].toLowerCase()}`}
                        defaultValue={shown(l)}
                        size={9}
                        {...fields.field(name)}
                      />
                      <div className="small muted">
                        {l.amount ? `In force: ${l.amount}` : "No limit in force"} · used {l.used}
                      </div>
                      {l.pending && (
                        <div className="small" data-testid="pending-limit">
                          {l.pending.amount === null ? "Removed" : `Rises to ${l.pending.amount}`}{" "}
                          from <DateTime value={l.pending.from} />
                        </div>
                      )}
                      {fields.error(name)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small muted">
        Windows are rolling: a day is the last 24 hours, a week the last 7 days, a month the last
        30. A lower limit applies at once; a higher one, or removing one, applies 24 hours later.
      </p>
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save limits"}
        </button>
      </div>
    </form>
  );
}

/** A cool-off or a self-exclusion: the player picks one, its length, and confirms. */
export function ExclusionForm({ action: start }: { action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(start, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="card stack" aria-label="Take a break" noValidate>
      <FormMessages state={state} />
      <fieldset className="stack">
        <legend>What kind of break</legend>
        <label className="checkbox">
          <input
            type="radio"
            name="kind"
            value="cool_off"
            defaultChecked={state.values?.kind !== "self_exclusion"}
          />
          <span>
            Cool-off for{" "}
            <input
              type="number"
              min={1}
              max={COOL_OFF_MAX_DAYS}
              defaultValue={state.values?.days || "1"}
              aria-label="Days of cool-off"
              style={{ width: "5em" }}
              {...fields.field("days")}
            />{" "}
            days (1 to {COOL_OFF_MAX_DAYS})
          </span>
        </label>
        {fields.error("days")}
        <label className="checkbox">
          <input
            type="radio"
            name="kind"
            value="self_exclusion"
            defaultChecked={state.values?.kind === "self_exclusion"}
          />
          <span>
            Self-exclusion for{" "}
            <select
              defaultValue={state.values?.term || "6_months"}
              aria-label="Term"
              {...fields.field("term")}
            >
              {selfExclusionTerms.map((t) => (
                <option key={t} value={t}>
                  {selfExclusionTermLabels[t]}
                </option>
              ))}
            </select>
          </span>
        </label>
        {fields.error("term")}
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" value="yes" {...fields.field("confirm")} />
        <span>I understand that nobody, not even support, can end it early</span>
      </label>
      {fields.error("confirm")}
      <div>
        <button type="submit" className="danger" disabled={pending}>
          {pending ? "Starting…" : "Start my break"}
        </button>
      </div>
    </form>
  );
}

export function SessionReminderForm({
  minutes,
  action: save,
}: {
  minutes: number | null;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(save, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="card row" aria-label="Session reminder" noValidate>
      <label>
        Remind me after{" "}
        <select defaultValue={minutes === null ? "" : String(minutes)} {...fields.field("minutes")}>
          <option value="">Never</option>
          {SESSION_REMINDER_CHOICES.map((m) => (
            <option key={m} value={m}>
              {m} minutes of play
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save reminder"}
      </button>
      <FormMessages state={state} />
      {fields.error("minutes")}
    </form>
  );
}
