"use client";

import { useActionState } from "react";
import { CountrySelect } from "@/components/auth/country-select";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";

/** Asks only for what the account has not declared yet. */
export function ProfileForm({
  needsRegion,
  needsAdult,
  action: declare,
}: {
  needsRegion: boolean;
  needsAdult: boolean;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(declare, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="stack">
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      {needsRegion && (
        <label htmlFor="profile-region">
          Country of residence
          <CountrySelect id="profile-region" {...fields.describe("region")} />
          {fields.error("region")}
        </label>
      )}
      {needsAdult && (
        <label className="checkbox">
          <input type="checkbox" value="yes" {...fields.field("adult")} />
          <span>I am 18 or older</span>
        </label>
      )}
      {fields.error("adult")}
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </button>
    </form>
  );
}
