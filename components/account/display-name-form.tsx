"use client";

import { useActionState } from "react";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { DISPLAY_NAME_MAX } from "@/lib/auth/model";

/** The name the account is shown by; the header shows a new one once it is saved. */
export function DisplayNameForm({
  current,
  action: rename,
}: {
  current: string;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(rename, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="stack" noValidate>
      <FormMessages state={state} />
      <label>
        Display name
        <input
          autoComplete="nickname"
          maxLength={DISPLAY_NAME_MAX}
          required
          defaultValue={state.values?.displayName ?? current}
          {...fields.field("displayName")}
        />
        {fields.error("displayName")}
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save name"}
      </button>
    </form>
  );
}
