"use client";

import { useActionState } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";

/**
 * Reverses a redemption: a reason (shown to the player) and an explicit confirmation. Rendered
 * whether or not the redemption can still be reversed, so the confirmation survives the page's
 * refresh after the action (which shows the redemption reversed).
 */
export function RedemptionReversalForm({
  reversible,
  action: reverse,
}: {
  reversible: boolean;
  /** The reversal action bound to the redemption shown. */
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(reverse, {});
  const fields = useFieldErrors(state.fieldErrors);
  if (state.notice) {
    return (
      <p className="alert success" role="status" data-testid="reversal-done">
        {state.notice}
      </p>
    );
  }
  if (!reversible) return null;
  return (
    <form action={action} className="card stack" aria-label="Reverse redemption" noValidate>
      <h3>Reverse</h3>
      <p className="muted small">
        A reversal entry goes to the public ledger and the player sees the reversal and your reason.
        The unit goes back to the drop only if the prize has not gone out: a gift card at the
        provider is cancelled first; a code shown, a card redeemed, tokens sent or a parcel shipped
        cannot be taken back. This cannot be undone.
      </p>
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <label>
        Reason (shown to the player)
        <textarea
          {...fields.field("reason")}
          required
          maxLength={500}
          rows={3}
          defaultValue={state.values?.reason}
        />
        {fields.error("reason")}
      </label>
      <label className="small">
        <span>
          <input type="checkbox" {...fields.field("confirm")} /> I confirm this reversal
        </span>
        {fields.error("confirm")}
      </label>
      <button type="submit" disabled={pending}>
        {pending ? "Reversing…" : "Reverse redemption"}
      </button>
    </form>
  );
}
