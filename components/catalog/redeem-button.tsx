"use client";

import { useActionState, useEffect, useState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

/** Redeems one catalog item; one key per click, so a double submit redeems once. */
export function RedeemButton({
  action: redeem,
  disabled,
  label,
}: {
  action: FormAction;
  disabled: boolean;
  label: string;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(redeem, {});
  const [clickKey, setClickKey] = useState("");
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new answer (state) is the trigger
  useEffect(() => setClickKey(crypto.randomUUID()), [state]);
  return (
    <form action={action} className="stack">
      <input type="hidden" name="idempotencyKey" value={clickKey} />
      <button type="submit" disabled={disabled || pending || clickKey === ""}>
        {pending ? "Redeeming…" : label}
      </button>
      {state.error && (
        <p className="alert error" role="alert" data-testid="redeem-error">
          {state.error}
        </p>
      )}
    </form>
  );
}
