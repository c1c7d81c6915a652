"use client";

import { useState } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
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
  const fields = useFieldErrors(e);
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
        <input {...fields.field("name")} defaultValue={initial("name")} maxLength={120} />
        {fields.error("name")}
      </label>
      {!prize && (
        <label>
          Kind
          <select
            {...fields.field("kind")}
            value={kind}
            onChange={(event) => setKind(event.target.value)}
          >
            {Object.entries(prizeKindLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          {fields.error("kind")}
        </label>
      )}
      <label>
        Value (USD)
        <input
          {...fields.field("value")}
          inputMode="decimal"
          defaultValue={v.value ?? (prize ? (prize.valueCents / 100).toFixed(2) : undefined)}
        />
        {fields.error("value")}
      </label>
      <label>
        Quantity
        <input
          {...fields.field("quantity")}
          inputMode="numeric"
          defaultValue={initial("quantity")}
        />
        {prize && (
          <span className="small muted">
            Not below {prize.allocated}, the units drops already hold
          </span>
        )}
        {fields.error("quantity")}
      </label>
      {kind === "crypto" && (
        <>
          <label>
            Token amount per unit
            <input
              {...fields.field("tokenAmount")}
              inputMode="decimal"
              defaultValue={initial("tokenAmount")}
              placeholder="25"
            />
            {fields.error("tokenAmount")}
          </label>
          <label>
            Token symbol
            <input
              {...fields.field("tokenSymbol")}
              defaultValue={initial("tokenSymbol")}
              placeholder="USDC"
            />
            {fields.error("tokenSymbol")}
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
              {...fields.field("delivery")}
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
            {fields.error("delivery")}
          </label>
          {delivery === "giftcard" ? (
            <label>
              Provider's product
              <select
                {...fields.field("providerProduct")}
                defaultValue={initial("providerProduct", GIFTCARD_PRODUCTS[0].id)}
                data-testid="prize-provider-product"
              >
                {GIFTCARD_PRODUCTS.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} (${p.minCents / 100}–${p.maxCents / 100})
                  </option>
                ))}
              </select>
              {fields.error("providerProduct")}
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
        <textarea
          {...fields.field("description")}
          defaultValue={initial("description", "")}
          maxLength={2000}
        />
        {fields.error("description")}
      </label>
      <div className="full">
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : prize ? "Save changes" : "Create prize"}
        </button>
      </div>
    </form>
  );
}
