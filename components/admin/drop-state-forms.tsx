"use client";

import { useActionState, useEffect, useState } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { localInput, ZoneInput } from "./drop-form";

/** A started drop's one editable field: its end, moved later. */
export function DropEndMoveForm({ endsAt, action: move }: { endsAt: string; action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(move, {});
  const fields = useFieldErrors(state.fieldErrors);
  const [initial, setInitial] = useState<string>();
  useEffect(() => setInitial(localInput(new Date(endsAt))), [endsAt]);
  return (
    <form action={action} className="stack" noValidate key={initial} data-testid="drop-move-end">
      {state.notice && <p className="alert success">{state.notice}</p>}
      {state.error && <p className="alert error">{state.error}</p>}
      <ZoneInput />
      <label>
        New end (your local time)
        <input
          {...fields.field("endsAt")}
          type="datetime-local"
          defaultValue={state.values?.endsAt ?? initial}
        />
        {fields.error("endsAt")}
      </label>
      <div>
        <button type="submit" className="secondary" disabled={pending}>
          Move the end
        </button>
      </div>
    </form>
  );
}

/** A change to a drop's state made only after the admin ticks a confirmation. */
function ConfirmedDropForm({
  action: change,
  testId,
  explanation,
  confirm,
  button,
}: {
  action: FormAction;
  testId: string;
  explanation: string;
  confirm: string;
  button: string;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(change, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="stack" noValidate data-testid={testId}>
      {state.notice && <p className="alert success">{state.notice}</p>}
      {state.error && <p className="alert error">{state.error}</p>}
      <p className="small">{explanation}</p>
      <label className="row" style={{ display: "flex" }}>
        <input type="checkbox" {...fields.field("confirm")} /> {confirm}
      </label>
      {fields.error("confirm")}
      <div>
        <button type="submit" className="secondary" disabled={pending}>
          {button}
        </button>
      </div>
    </form>
  );
}

/** Ends a live drop now, after the admin ticks a confirmation. */
export function DropEndEarlyForm({ lottery, action }: { lottery: boolean; action: FormAction }) {
  return (
    <ConfirmedDropForm
      action={action}
      testId="drop-end-early"
      explanation={`Claims stop at once and the drop shows as ended to players. Units not yet claimed stay with the drop and are not handed out.${
        lottery
          ? " This is a lottery: entries close now and the draw runs over the entries made so far, as it would at the scheduled end; the committed seed stays the same."
          : ""
      }`}
      confirm="Yes, end this drop now"
      button="End drop early"
    />
  );
}

/** Starts a scheduled drop now instead of at its start, after the admin ticks a confirmation. */
export function DropStartNowForm({ queued, action }: { queued: boolean; action: FormAction }) {
  return (
    <ConfirmedDropForm
      action={action}
      testId="drop-start-now"
      explanation={`The drop's start moves to now and players can claim at once; its end stays.${
        queued
          ? " Its waiting room's pre-queue is drawn within seconds, exactly as at the scheduled start; whoever has not joined yet arrives after the draw."
          : ""
      }`}
      confirm="Yes, start this drop now"
      button="Start now"
    />
  );
}
