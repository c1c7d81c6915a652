"use client";

import { useActionState } from "react";
import { FormMessages, useFieldErrors } from "@/components/ui/form-messages";
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
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="card stack" aria-label="New catalog item" noValidate>
      <FormMessages state={state} />
      <label>
        Prize
        <select defaultValue={state.values?.prizeId ?? ""} {...fields.field("prizeId")}>
          <option value="">Choose a prize…</option>
          {prizes.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        {fields.error("prizeId")}
      </label>
      <div className="row">
        <label>
          Price (SC)
          <input
            inputMode="decimal"
            defaultValue={state.values?.price ?? ""}
            {...fields.field("price")}
          />
          {fields.error("price")}
        </label>
        <label>
          Stock
          <input
            inputMode="numeric"
            defaultValue={state.values?.stock ?? ""}
            {...fields.field("stock")}
          />
          {fields.error("stock")}
        </label>
        <label>
          Position
          <input
            inputMode="numeric"
            defaultValue={state.values?.position ?? "0"}
            {...fields.field("position")}
          />
          {fields.error("position")}
        </label>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          defaultChecked={state.values?.instantWin === "on"}
          {...fields.field("instantWin")}
        />
        Instant win: the scratch card's top tier awards this item
      </label>
      {fields.error("instantWin")}
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
  const fields = useFieldErrors(errors);
  return (
    <form action={action} className="row" aria-label={`Edit ${item.prize.name}`} noValidate>
      <input
        name="price"
        aria-label="Price (SC)"
        inputMode="decimal"
        size={8}
        defaultValue={state.values?.price ?? item.price}
        {...fields.describe("price", "row")}
      />
      <input
        name="stock"
        aria-label="Stock"
        inputMode="numeric"
        size={5}
        defaultValue={state.values?.stock ?? String(item.stock)}
        {...fields.describe("stock", "row")}
      />
      <label className="checkbox small">
        <input
          type="checkbox"
          name="instantWin"
          defaultChecked={item.instantWin}
          {...fields.describe("instantWin", "row")}
        />
        Instant win
      </label>
      <button type="submit" className="secondary" disabled={pending}>
        Save
      </button>
      {state.notice && <span className="small">{state.notice}</span>}
      {(state.error || errors.price || errors.stock || errors.instantWin) && (
        <span className="field-error" role="alert" id={fields.idOf("row")}>
          {state.error ?? errors.price ?? errors.stock ?? errors.instantWin}
        </span>
      )}
    </form>
  );
}
