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

/** Ends a live drop now, after the admin ticks a confirmation. */
export function DropEndEarlyForm({
  lottery,
  action: end,
}: {
  lottery: boolean;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(end, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="stack" noValidate data-testid="drop-end-early">
      {state.notice && <p className="alert success">{state.notice}</p>}
      {state.error && <p className="alert error">{state.error}</p>}
      <p className="small">
        Claims stop at once and the drop shows as ended to players. Units not yet claimed stay with
        the drop and are not handed out.
        {lottery &&
          " This is a lottery: entries close now and the draw runs over the entries made so far, as it would at the scheduled end; the committed seed stays the same."}
      </p>
      <label className="row" style={{ display: "flex" }}>
        <input type="checkbox" {...fields.field("confirm")} /> Yes, end this drop now
      </label>
      {fields.error("confirm")}
      <div>
        <button type="submit" className="secondary" disabled={pending}>
          End drop early
        </button>
      </div>
    </form>
  );
}
