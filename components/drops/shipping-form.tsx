"use client";

import { useActionState } from "react";
import { DateTime } from "@/components/ui/date-time";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";

const fields = [
  ["name", "Full name"],
  ["line1", "Address"],
  ["line2", "Address line 2 (optional)"],
  ["city", "City"],
  ["postalCode", "Postal code"],
  ["country", "Country (two letters, e.g. DE)"],
] as const;

export function ShippingForm({
  deadline,
  action: confirm,
}: {
  deadline: string;
  /** The shipping action bound to this redemption. */
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(confirm, {});
  const errors = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="stack" noValidate data-testid="shipping-form">
      <p className="alert info" style={{ margin: 0 }}>
        Confirm where to ship this prize by <DateTime value={deadline} />, or the unit goes back to
        the drop.
      </p>
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      {fields.map(([name, label]) => (
        <label key={name}>
          {label}
          <input maxLength={120} {...errors.field(name)} />
          {errors.error(name)}
        </label>
      ))}
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Confirm shipping address"}
      </button>
    </form>
  );
}
