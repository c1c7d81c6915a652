"use client";

import Link from "next/link";
import { type FormEvent, startTransition, useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { SignInStep } from "@/lib/auth/model";

export function SignInForm({
  next,
  action: signIn,
}: {
  next: string;
  action: FormAction<SignInStep>;
}) {
  const [state, action, pending] = useActionState<FormState<SignInStep>, FormData>(signIn, {});
  // Submitting through a transition (rather than the form's own action) keeps what was typed:
  // after "enter your code" the email and password are still there for the second submit.
  // Without JavaScript the form still posts to the action.
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(() => action(data));
  }
  return (
    <form action={action} onSubmit={submit} className="stack">
      {state.error && (
        <p className={`alert ${state.code === "otp_required" ? "info" : "error"}`} role="alert">
          {state.error}
        </p>
      )}
      <input type="hidden" name="next" value={next} />
      <label>
        Email
        <input
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={state.values?.email}
        />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {state.data?.otpRequired && (
        <label>
          Authentication code
          <input
            name="otp"
            autoComplete="one-time-code"
            inputMode="text"
            maxLength={40}
            required
            // biome-ignore lint/a11y/noAutofocus: the field appears because the user must fill it next
            autoFocus
          />
          <span className="muted small">
            The 6-digit code from your authenticator app, or a recovery code such as ABCDE-FGHJK.
          </span>
        </label>
      )}
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <Link href="/forgot-password" className="small">
        Forgot your password?
      </Link>
    </form>
  );
}
