"use client";

import { useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

export function ResetPasswordForm({ token, action: reset }: { token: string; action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(reset, {});
  const errors = state.fieldErrors ?? {};
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
        <input name="password" type="password" autoComplete="new-password" />
        {errors.password && <span className="field-error">{errors.password}</span>}
      </label>
      <label>
        Repeat the new password
        <input name="confirm" type="password" autoComplete="new-password" />
        {errors.confirm && <span className="field-error">{errors.confirm}</span>}
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Set new password"}
      </button>
    </form>
  );
}
