"use client";

import { useActionState } from "react";
import { excludeRegionAction, includeRegionAction } from "@/app/(admin)/actions";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
import type { FormState } from "@/lib/actions/form-state";

export function ExcludeRegionForm({
  countries,
}: {
  countries: Array<{ code: string; name: string }>;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(excludeRegionAction, {});
  const e = state.fieldErrors ?? {};
  const fields = useFieldErrors(e);
  return (
    <form action={action} className="card stack" aria-label="Exclude a region" noValidate>
      <FormMessages state={state} />
      <label>
        Region
        <select {...fields.field("code")} defaultValue={state.values?.code ?? ""}>
          <option value="">Choose a country…</option>
          {countries.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name} ({c.code})
            </option>
          ))}
        </select>
        {fields.error("code")}
      </label>
      <label>
        Note (why; kept in the audit trail)
        <input {...fields.field("note")} maxLength={500} defaultValue={state.values?.note} />
        {fields.error("note")}
      </label>
      <label className="checkbox">
        <input type="checkbox" name="sweepsOnly" />
        Sweeps Coins only (claims and Gold Coins play stay open)
      </label>
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Excluding…" : "Exclude region"}
        </button>
      </div>
    </form>
  );
}

export function IncludeRegionForm({ code, name }: { code: string; name: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(
    includeRegionAction.bind(null, code),
    {},
  );
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="row" aria-label={`Open ${name} again`} noValidate>
      <input maxLength={500} placeholder="Note (why)" aria-label="Note" {...fields.field("note")} />
      <button type="submit" className="secondary" disabled={pending}>
        Remove
      </button>
      {(state.error || state.fieldErrors?.note) && (
        <span className="field-error" role="alert" id={fields.idOf("note")}>
          {state.error ?? state.fieldErrors?.note}
        </span>
      )}
    </form>
  );
}
