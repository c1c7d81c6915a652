"use client";

import { useActionState } from "react";
import { FormMessages } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { IdentityView } from "@/lib/catalog/model";

const ADDRESS_FIELDS = [
  { name: "line1", label: "Address" },
  { name: "line2", label: "Address line 2 (optional)" },
  { name: "city", label: "City" },
  { name: "region", label: "State or region (optional)" },
  { name: "postalCode", label: "Postal code" },
  { name: "country", label: "Country (two letters, e.g. US)" },
] as const;

export function IdentityForm({
  identity,
  action: declare,
}: {
  identity: IdentityView;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(declare, {});
  const errors = state.fieldErrors ?? {};
  const value = (name: string, stored: string | null | undefined) =>
    state.values?.[name] ?? stored ?? "";
  return (
    <form action={action} className="card stack" aria-label="Identity" noValidate>
      <FormMessages state={state} />
      <label>
        Legal name
        <input
          name="legalName"
          autoComplete="name"
          defaultValue={value("legalName", identity.legalName)}
        />
        {errors.legalName && <span className="field-error">{errors.legalName}</span>}
      </label>
      <label>
        Date of birth
        <input name="birthDate" type="date" defaultValue={value("birthDate", identity.birthDate)} />
        {errors.birthDate && <span className="field-error">{errors.birthDate}</span>}
      </label>
      {ADDRESS_FIELDS.map((f) => (
        <label key={f.name}>
          {f.label}
          <input name={f.name} defaultValue={value(f.name, identity.postalAddress?.[f.name])} />
          {errors[f.name] && <span className="field-error">{errors[f.name]}</span>}
        </label>
      ))}
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Declare identity"}
        </button>
      </div>
    </form>
  );
}
