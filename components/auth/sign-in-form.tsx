"use client";

import { useActionState } from "react";
import { type FormState, signInAction } from "@/app/(auth)/actions";

export function SignInForm({ next }: { next?: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(signInAction, {});
  return (
    <form action={action} className="stack">
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <input type="hidden" name="next" value={next ?? "/"} />
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
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
