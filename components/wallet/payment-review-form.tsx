"use client";

import { useActionState } from "react";
import { FormMessages } from "@/components/ui/form-messages";
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
  const errors = state.fieldErrors ?? {};
  if (state.notice) return <FormMessages state={state} />;
  return (
    <form action={action} className="stack" aria-label={`Resolve ${label}`} noValidate>
      <FormMessages state={state} />
      <input
        name="reason"
        maxLength={500}
        placeholder="Why (kept and audited)"
        aria-label="Reason"
        defaultValue={state.values?.reason}
      />
      {errors.reason && <span className="field-error">{errors.reason}</span>}
      {errors.action && <span className="field-error">{errors.action}</span>}
      <div className="row">
        <button type="submit" name="action" value="credit" disabled={pending}>
          Credit the coins
        </button>
        <button type="submit" name="action" value="refunded" className="danger" disabled={pending}>
          Close as refunded
        </button>
      </div>
    </form>
  );
}
