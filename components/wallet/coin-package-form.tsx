"use client";

import { useActionState } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { FormOutcome } from "./form-outcome";

const FIELDS = [
  ["name", "Name", "Starter"],
  ["price", "Price (US dollars)", "4.99"],
  ["gc", "Gold Coins", "5000.00"],
  ["bonusSc", "Free Sweeps Coins with it", "5.00"],
] as const;

/** A new package for sale. */
export function CoinPackageForm({ action: create }: { action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(create, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="card stack" aria-label="New coin package" noValidate>
      <h3>New package</h3>
      <FormOutcome state={state} />
      {FIELDS.map(([name, label, placeholder]) => (
        <label key={name}>
          {label}
          <input
            placeholder={placeholder}
            defaultValue={state.notice ? "" : state.values?.[name]}
            {...fields.field(name)}
          />
          {fields.error(name)}
        </label>
      ))}
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Put on sale"}
      </button>
    </form>
  );
}
