"use client";

import { useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { CountrySelect } from "./country-select";

export function SignUpForm({ action: signUp }: { action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(signUp, {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="stack" noValidate>
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <label>
        Email
        <input name="email" type="email" autoComplete="email" defaultValue={state.values?.email} />
        {errors.email && <span className="field-error">{errors.email}</span>}
      </label>
      <label>
        Display name <span className="muted small">(optional)</span>
        <input name="displayName" maxLength={60} defaultValue={state.values?.displayName} />
        {errors.displayName && <span className="field-error">{errors.displayName}</span>}
      </label>
      <label>
        Password <span className="muted small">(at least 10 characters)</span>
        <input name="password" type="password" autoComplete="new-password" />
        {errors.password && <span className="field-error">{errors.password}</span>}
      </label>
      <label htmlFor="signup-region">
        Country of residence
        <CountrySelect id="signup-region" defaultValue={state.values?.region} />
        <span className="muted small">Some prizes can only be claimed in some countries.</span>
        {errors.region && <span className="field-error">{errors.region}</span>}
      </label>
      <label className="checkbox">
        <input
          name="adult"
          type="checkbox"
          value="yes"
          defaultChecked={state.values?.adult === "yes"}
        />
        <span>I am 18 or older</span>
      </label>
      {errors.adult && <span className="field-error">{errors.adult}</span>}
      <button type="submit" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
