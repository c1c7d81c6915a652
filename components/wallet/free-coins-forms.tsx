"use client";

import { useActionState } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { FormOutcome } from "./form-outcome";

/** Today's free Sweeps Coins, one click a day. */
export function DailyBonusForm({ action: claim, amount }: { action: FormAction; amount: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(claim, {});
  return (
    <form action={action} className="stack">
      <FormOutcome state={state} />
      <button type="submit" disabled={pending}>
        {pending ? "Claiming…" : `Claim today's ${amount} free SC`}
      </button>
    </form>
  );
}

/** A mail-in code, as printed on the card the player received. */
export function MailInForm({ action: redeem }: { action: FormAction }) {
  const [state, action, pending] = useActionState<FormState, FormData>(redeem, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="stack" noValidate>
      <FormOutcome state={state} />
      <label>
        Mail-in code
        <input
          {...fields.field("code")}
          autoComplete="off"
          placeholder="MAIL-XXXX-XXXX-XXXX-XXXX"
          defaultValue={state.notice ? "" : state.values?.code}
        />
        {fields.error("code")}
      </label>
      <button type="submit" disabled={pending} className="secondary">
        {pending ? "Redeeming…" : "Redeem code"}
      </button>
    </form>
  );
}
