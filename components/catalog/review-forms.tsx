"use client";

import { useActionState } from "react";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";

/** Approve, or reject with a reason, one held redemption; the answer stays in the row. */
export function ReviewForms({
  approve,
  reject,
  label,
}: {
  approve: FormAction;
  reject: FormAction;
  label: string;
}) {
  const [approved, approveAction, approving] = useActionState<FormState, FormData>(approve, {});
  const [rejected, rejectAction, rejecting] = useActionState<FormState, FormData>(reject, {});
  const done = Boolean(approved.notice || rejected.notice);
  const fields = useFieldErrors(rejected.fieldErrors);
  return (
    <div className="stack">
      <FormMessages state={approved} />
      <FormMessages state={rejected} />
      {!done && (
        <>
          <form action={approveAction} aria-label={`Approve ${label}`}>
            <button type="submit" disabled={approving || rejecting}>
              {approving ? "Approving…" : "Approve"}
            </button>
          </form>
          <form action={rejectAction} className="row" aria-label={`Reject ${label}`} noValidate>
            <input
              maxLength={500}
              placeholder="Why (shown to the player)"
              aria-label="Reason"
              defaultValue={rejected.values?.reason}
              {...fields.field("reason")}
            />
            <button type="submit" className="danger" disabled={approving || rejecting}>
              {rejecting ? "Rejecting…" : "Reject and refund"}
            </button>
            {fields.error("reason")}
          </form>
        </>
      )}
    </div>
  );
}
