"use client";

import { useActionState } from "react";
import { type FormState, resendVerificationAction } from "@/app/(auth)/actions";

export function ResendVerificationButton({ label = "Resend link" }: { label?: string }) {
  const [state, action, pending] = useActionState<FormState>(resendVerificationAction, {});
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
