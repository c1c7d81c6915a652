"use client";

import { useActionState } from "react";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";

/**
 * Resolves one payment under review: credit it, or close it as refunded at the processor, with
 * one reason for either; the answer stays in the row until the page is reloaded.
 */
export function PaymentReviewForm({
  action: resolve,
  label,
}: {
  action: FormAction;
  label: string;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(resolve, {});
  const fields = useFieldErrors(state.fieldErrors);
  if (state.notice) return <FormMessages state={state} />;
  return (
    <form action={action} className="stack" aria-label={`Resolve ${label}`} noValidate>
      <FormMessages state={state} />
      <input
        maxLength={500}
        placeholder="Why (kept and audited)"
        aria-label="Reason"
        defaultValue={state.values?.reason}
        {...fields.field("reason")}
      />
      {fields.error("reason")}
      {fields.error("action")}
      <div className="row">
        <button
          type="submit"
          name="action"
          value="credit"
          disabled={pending}
          aria-describedby={fields.describe("action")["aria-describedby"]}
        >
          Credit the coins
        </button>
        <button
          type="submit"
          name="action"
          value="refunded"
          className="danger"
          disabled={pending}
          aria-describedby={fields.describe("action")["aria-describedby"]}
        >
          Close as refunded
        </button>
      </div>
    </form>
  );
}
