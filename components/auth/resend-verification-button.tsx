"use client";

import { useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

export function ResendVerificationButton({
  label = "Resend link",
  action: resend,
}: {
  label?: string;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(resend, {});
  return (
    <form action={action} className="row">
      <button type="submit" className="secondary" disabled={pending}>
        {pending ? "Sending…" : label}
      </button>
      {state.notice && (
        <span role="status" data-testid="resend-notice">
          {state.notice}
        </span>
      )}
      {state.error && (
        <span role="alert" className="field-error">
          {state.error}
        </span>
      )}
    </form>
  );
}
