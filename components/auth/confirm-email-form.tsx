"use client";

import { useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

export function ConfirmEmailForm({
  token,
  next,
  action: confirm,
}: {
  token: string;
  /** Where the confirmation page offers to go back to, as the mailed link carried it. */
  next: string;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(confirm, {});
  return (
    <form action={action} className="stack">
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="next" value={next} />
      <button type="submit" disabled={pending}>
        {pending ? "Confirming…" : "Confirm my email"}
      </button>
    </form>
  );
}
