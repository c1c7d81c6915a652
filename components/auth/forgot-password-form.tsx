"use client";

import { useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

export function ForgotPasswordForm({ action: request }: { action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(request, {});
  return (
    <form action={action} className="stack" noValidate>
      {state.notice && (
        <p className="alert success" role="status">
          {state.notice}
        </p>
      )}
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <label>
        Email
        <input name="email" type="email" autoComplete="email" defaultValue={state.values?.email} />
        {state.fieldErrors?.email && <span className="field-error">{state.fieldErrors.email}</span>}
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Sending…" : "Email me a reset link"}
      </button>
    </form>
  );
}
