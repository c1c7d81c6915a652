"use client";

import { useActionState } from "react";
import { type CodeFormState, disableTwoFactorAction } from "@/app/(player)/account/actions";

export function TwoFactorDisableForm() {
  const [state, action, pending] = useActionState<CodeFormState, FormData>(
    disableTwoFactorAction,
    {},
  );
  return (
    <form action={action} className="stack">
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <label>
        Code from your app (or a recovery code)
        <input name="code" autoComplete="one-time-code" maxLength={40} required />
      </label>
      <button type="submit" className="secondary" disabled={pending}>
        {pending ? "Turning off…" : "Turn off two-factor"}
      </button>
    </form>
  );
}
