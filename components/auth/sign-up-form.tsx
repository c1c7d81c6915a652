"use client";

import { useActionState } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { DISPLAY_NAME_MAX } from "@/lib/auth/model";
import { CountrySelect } from "./country-select";
import { EmailField } from "./email-field";

export function SignUpForm({ next, action: signUp }: { next: string; action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(signUp, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="stack" noValidate>
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <input type="hidden" name="next" value={next} />
      <EmailField fields={fields} defaultValue={state.values?.email} />
      <label>
        Display name <span className="muted small">(optional)</span>
        <input
          autoComplete="nickname"
          maxLength={DISPLAY_NAME_MAX}
          defaultValue={state.values?.displayName}
          {...fields.field("displayName")}
        />
        {fields.error("displayName")}
      </label>
      <label>
        Password <span className="muted small">(at least 10 characters)</span>
        <input type="password" autoComplete="new-password" {...fields.field("password")} />
        {fields.error("password")}
      </label>
      <label htmlFor="signup-region">
        Country of residence
        <CountrySelect
          id="signup-region"
          defaultValue={state.values?.region}
          {...fields.describe("region")}
        />
        <span className="muted small">Some prizes can only be claimed in some countries.</span>
        {fields.error("region")}
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          value="yes"
          defaultChecked={state.values?.adult === "yes"}
          {...fields.field("adult")}
        />
        <span>I am 18 or older</span>
      </label>
      {fields.error("adult")}
      <button type="submit" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
