"use client";

import { useActionState } from "react";
import { type AdminFormState, createPrizeAction } from "@/app/(admin)/actions";

export function PrizeForm() {
  const [state, action, pending] = useActionState<AdminFormState, FormData>(createPrizeAction, {});
  const e = state.fieldErrors ?? {};
  const v = state.values ?? {};
  return (
    <form action={action} className="stack wide" noValidate key={state.ok}>
      {state.ok && <p className="alert success full">{state.ok}</p>}
      {state.error && <p className="alert error full">{state.error}</p>}
      <label className="full">
        Name
        <input name="name" defaultValue={v.name} maxLength={120} />
        {e.name && <span className="field-error">{e.name}</span>}
      </label>
      <label>
        Kind
        <select name="kind" defaultValue={v.kind ?? "gift_card"}>
          <option value="gift_card">Gift card</option>
          <option value="crypto">Crypto token</option>
          <option value="physical">Physical item</option>
        </select>
        {e.kind && <span className="field-error">{e.kind}</span>}
      </label>
      <label>
        Value (USD)
        <input name="value" inputMode="decimal" defaultValue={v.value} />
        {e.value && <span className="field-error">{e.value}</span>}
      </label>
      <label>
        Quantity
        <input name="quantity" inputMode="numeric" defaultValue={v.quantity} />
        {e.quantity && <span className="field-error">{e.quantity}</span>}
      </label>
      <div className="full">
        <button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create prize"}
        </button>
      </div>
    </form>
  );
}
