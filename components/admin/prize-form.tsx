"use client";

import { useState } from "react";
import type { FormAction } from "@/lib/actions/form-state";
import { GIFTCARD_PRODUCTS } from "@/lib/delivery/giftcard-products";
import {
  giftCardDeliveries,
  giftCardDeliveryLabels,
  type PrizeView,
  prizeKindLabels,
} from "@/lib/prizes/model";
import { useNumberedActionState } from "./drop-form-state";

/**
 * Creates a prize, or edits one when given `prize` and its bound update action. The kind is
 * fixed once created (codes, payouts and shipping hang on it); crypto asks for its payout, a
 * gift card how it is delivered (imported codes, or the provider's product).
 */
export function PrizeForm({ prize, action: save }: { prize?: PrizeView; action: FormAction }) {
  const [state, action, pending, submission] = useNumberedActionState(save);
  const e = state.fieldErrors ?? {};
  const v = state.values ?? {};
  const [kind, setKind] = useState(v.kind ?? prize?.kind ?? "gift_card");
  const [delivery, setDelivery] = useState(
    v.delivery ?? (prize?.delivery === "giftcard" ? "giftcard" : "pool"),
  );
  const initial = (key: keyof PrizeView, fallback?: string) =>
    v[key] ?? (prize?.[key] == null ? fallback : String(prize[key]));
  return (
    <form
      action={action}
      className="stack wide"
      noValidate
      key={submission}
      data-testid={prize ? "prize-edit-form" : "prize-create-form"}
    >
      {state.notice && <p className="alert success full">{state.notice}</p>}
      {state.error && <p className="alert error full">{state.error}</p>}
      <label className="full">
        Name
        <input name="name" defaultValue={initial("name")} maxLength={120} />
        {e.name && <span className="field-error">{e.name}</span>}
      </label>
      {!prize && (
        <label>
          Kind
          <select name="kind" value={kind} onChange={(event) => setKind(event.target.value)}>
            {Object.entries(prizeKindLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          {e.kind && <span className="field-error">{e.kind}</span>}
        </label>
      )}
      <label>
        Value (USD)
        <input
          name="value"
          inputMode="decimal"
          defaultValue={v.value ?? (prize ? (prize.valueCents / 100).toFixed(2) : undefined)}
        />
        {e.value && <span className="field-error">{e.value}</span>}
      </label>
      <label>
        Quantity
        <input name="quantity" inputMode="numeric" defaultValue={initial("quantity")} />
        {prize && (
          <span className="small muted">
            Not below {prize.allocated}, the units drops already hold
          </span>
        )}
        {e.quantity && <span className="field-error">{e.quantity}</span>}
      </label>
      {kind === "crypto" && (
        <>
          <label>
            Token amount per unit
            <input
              name="tokenAmount"
              inputMode="decimal"
              defaultValue={initial("tokenAmount")}
              placeholder="25"
            />
            {e.tokenAmount && <span className="field-error">{e.tokenAmount}</span>}
          </label>
          <label>
            Token symbol
            <input name="tokenSymbol" defaultValue={initial("tokenSymbol")} placeholder="USDC" />
            {e.tokenSymbol && <span className="field-error">{e.tokenSymbol}</span>}
          </label>
        </>
      )}
      {kind === "physical" && (
        <p className="small muted full">
          Winners of a physical item give a shipping address before the drop ends.
        </p>
      )}
      {kind === "gift_card" && (
        <>
          <label>
            Delivered by
            <select
              name="delivery"
              value={delivery}
              onChange={(event) => setDelivery(event.target.value)}
              data-testid="prize-delivery"
            >
              {giftCardDeliveries.map((value) => (
                <option key={value} value={value}>
                  {giftCardDeliveryLabels[value]}
                </option>
              ))}
            </select>
            {e.delivery && <span className="field-error">{e.delivery}</span>}
          </label>
          {delivery === "giftcard" ? (
            <label>
              Provider's product
              <select
                name="providerProduct"
                defaultValue={initial("providerProduct", GIFTCARD_PRODUCTS[0].id)}
                data-testid="prize-provider-product"
              >
                {GIFTCARD_PRODUCTS.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} (${p.minCents / 100}–${p.maxCents / 100})
                  </option>
                ))}
              </select>
              {e.providerProduct && <span className="field-error">{e.providerProduct}</span>}
            </label>
          ) : (
            <p className="small muted">
              {prize
                ? "Import its codes (CSV) below."
                : "After creating it, import its codes (CSV) on the prize's page."}
            </p>
          )}
          {delivery === "giftcard" && (
            <p className="small muted full">
              Each winner's card is ordered from the provider at once and shown to them when it
              arrives: no codes to import.
            </p>
          )}
        </>
      )}
      <label className="full">
        Description shown to players (optional)
        <textarea name="description" defaultValue={initial("description", "")} maxLength={2000} />
        {e.description && <span className="field-error">{e.description}</span>}
      </label>
      <div className="full">
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : prize ? "Save changes" : "Create prize"}
        </button>
      </div>
    </form>
  );
}
