"use client";

import { useActionState } from "react";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { EmailField } from "./email-field";

export function ForgotPasswordForm({ action: request }: { action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(request, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="stack" noValidate>
      <FormMessages state={state} />
      <EmailField fields={fields} defaultValue={state.values?.email} />
      <button type="submit" disabled={pending}>
        {pending ? "Sending…" : "Email me a reset link"}
      </button>
    </form>
  );
}
