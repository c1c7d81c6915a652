"use client";

import { useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

export function TwoFactorDisableForm({ action: disable }: { action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(disable, {});
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
