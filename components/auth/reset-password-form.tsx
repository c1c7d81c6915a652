"use client";

import { useActionState } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";

export function ResetPasswordForm({ token, action: reset }: { token: string; action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(reset, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="stack" noValidate>
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <input type="hidden" name="token" value={token} />
      <label>
        New password <span className="muted small">(at least 10 characters)</span>
        <input type="password" autoComplete="new-password" {...fields.field("password")} />
        {fields.error("password")}
      </label>
      <label>
        Repeat the new password
        <input type="password" autoComplete="new-password" {...fields.field("confirm")} />
        {fields.error("confirm")}
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Set new password"}
      </button>
    </form>
  );
}
