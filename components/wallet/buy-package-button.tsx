"use client";

import { useActionState, useState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

type Started = { confirmUrl: string | null; purchaseId: string };

/**
 * Buys one package: the click starts the purchase (a key per click, so a double submit buys
 * once), then the player pays on the provider's page in a new tab. This page stays open, and its
 * header shows the coins as soon as the provider's webhook confirms the payment.
 */
export function BuyPackageButton({
  label,
  price,
  action: buy,
}: {
  label: string;
  price: string;
  action: FormAction<Started>;
}) {
  const [state, action, pending] = useActionState<FormState<Started>, FormData>(buy, {});
  const [key, setKey] = useState(() => crypto.randomUUID());
  const confirmUrl = state.data?.confirmUrl;
  return (
    <form action={action} onSubmit={() => setTimeout(() => setKey(crypto.randomUUID()), 0)}>
      <input type="hidden" name="idempotencyKey" value={key} />
      {state.error && (
        <p className="alert error small" role="alert">
          {state.error}
        </p>
      )}
      {confirmUrl ? (
        <a
          href={confirmUrl}
          target="_blank"
          rel="noopener noreferrer"
          className="button"
          data-testid="pay-link"
        >
          Pay ${price} at the payment provider
        </a>
      ) : (
        // The package's name is in the visible text too: a spoken name must match what is seen.
        <button type="submit" disabled={pending}>
          {pending ? "Starting…" : `Buy ${label} for $${price}`}
        </button>
      )}
    </form>
  );
}
