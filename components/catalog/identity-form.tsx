"use client";

import { useActionState } from "react";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
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
  const fields = useFieldErrors(state.fieldErrors);
  const value = (name: string, stored: string | null | undefined) =>
    state.values?.[name] ?? stored ?? "";
  return (
    <form action={action} className="card stack" aria-label="Identity" noValidate>
      <FormMessages state={state} />
      <label>
        Legal name
        <input
          autoComplete="name"
          defaultValue={value("legalName", identity.legalName)}
          {...fields.field("legalName")}
        />
        {fields.error("legalName")}
      </label>
      <label>
        Date of birth
        <input
          type="date"
          defaultValue={value("birthDate", identity.birthDate)}
          {...fields.field("birthDate")}
        />
        {fields.error("birthDate")}
      </label>
      {ADDRESS_FIELDS.map((f) => (
        <label key={f.name}>
          {f.label}
          <input
            defaultValue={value(f.name, identity.postalAddress?.[f.name])}
            {...fields.field(f.name)}
          />
          {fields.error(f.name)}
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
