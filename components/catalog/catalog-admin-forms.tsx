"use client";

import { useActionState } from "react";
import { FormMessages } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { CatalogItemView } from "@/lib/catalog/model";

export function CatalogItemCreateForm({
  prizes,
  action: create,
}: {
  prizes: Array<{ id: string; name: string }>;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(create, {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="card stack" aria-label="New catalog item" noValidate>
      <FormMessages state={state} />
      <label>
        Prize
        <select name="prizeId" defaultValue={state.values?.prizeId ?? ""}>
          <option value="">Choose a prize…</option>
          {prizes.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        {errors.prizeId && <span className="field-error">{errors.prizeId}</span>}
      </label>
      <div className="row">
        <label>
          Price (SC)
          <input name="price" inputMode="decimal" defaultValue={state.values?.price ?? ""} />
          {errors.price && <span className="field-error">{errors.price}</span>}
        </label>
        <label>
          Stock
          <input name="stock" inputMode="numeric" defaultValue={state.values?.stock ?? ""} />
          {errors.stock && <span className="field-error">{errors.stock}</span>}
        </label>
        <label>
          Position
          <input name="position" inputMode="numeric" defaultValue={state.values?.position ?? "0"} />
          {errors.position && <span className="field-error">{errors.position}</span>}
        </label>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          name="instantWin"
          defaultChecked={state.values?.instantWin === "on"}
        />
        Instant win: the scratch card's top tier awards this item
      </label>
      {errors.instantWin && <span className="field-error">{errors.instantWin}</span>}
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Put on sale"}
        </button>
      </div>
    </form>
  );
}

export function CatalogItemEditForm({
  item,
  action: save,
}: {
  item: CatalogItemView;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(save, {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="row" aria-label={`Edit ${item.prize.name}`} noValidate>
      <input
        name="price"
        aria-label="Price (SC)"
        inputMode="decimal"
        size={8}
        defaultValue={state.values?.price ?? item.price}
      />
      <input
        name="stock"
        aria-label="Stock"
        inputMode="numeric"
        size={5}
        defaultValue={state.values?.stock ?? String(item.stock)}
      />
      <label className="checkbox small">
        <input type="checkbox" name="instantWin" defaultChecked={item.instantWin} />
        Instant win
      </label>
      <button type="submit" className="secondary" disabled={pending}>
        Save
      </button>
      {state.notice && <span className="small">{state.notice}</span>}
      {(state.error || errors.price || errors.stock || errors.instantWin) && (
        <span className="field-error" role="alert">
          {state.error ?? errors.price ?? errors.stock ?? errors.instantWin}
        </span>
      )}
    </form>
  );
}
