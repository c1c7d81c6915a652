"use client";

import { useActionState, useState } from "react";
import { type FieldErrorLinks, useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { FormOutcome } from "./form-outcome";
import styles from "./wallet.module.css";

/** A labelled control and its error; the control spreads `fields.field(name)` itself. */
function Field({
  label,
  name,
  fields,
  children,
}: {
  label: string;
  name: string;
  fields: FieldErrorLinks;
  children: React.ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label>
      {label}
      {children}
      {fields.error(name)}
    </label>
  );
}

/** Grants coins to a player: a reason is required and kept; a key per form grants once. */
export function GrantForm({ action: grant, userId }: { action: FormAction; userId?: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(grant, {});
  const fields = useFieldErrors(state.fieldErrors);
  const [key, setKey] = useState(() => crypto.randomUUID());
  return (
    <form
      action={action}
      onSubmit={() => setTimeout(() => setKey(crypto.randomUUID()), 0)}
      className="card stack"
      aria-label="Grant coins"
      noValidate
    >
      <h3>Grant coins</h3>
      <FormOutcome state={state} />
      <input type="hidden" name="idempotencyKey" value={key} />
      {userId ? (
        <input type="hidden" name="userId" value={userId} />
      ) : (
        <Field label="Player id" name="userId" fields={fields}>
          <input
            {...fields.field("userId")}
            defaultValue={state.values?.userId}
            autoComplete="off"
          />
        </Field>
      )}
      <Field label="Currency" name="currency" fields={fields}>
        <select {...fields.field("currency")} defaultValue={state.values?.currency ?? "SC"}>
          <option value="SC">Sweeps Coins (SC)</option>
          <option value="GC">Gold Coins (GC)</option>
        </select>
      </Field>
      <Field label="Amount" name="amount" fields={fields}>
        <input
          {...fields.field("amount")}
          inputMode="decimal"
          placeholder="10.00"
          defaultValue={state.values?.amount}
        />
      </Field>
      <Field label="Reason (kept with the grant and audited)" name="reason" fields={fields}>
        <input {...fields.field("reason")} maxLength={500} defaultValue={state.values?.reason} />
      </Field>
      <button type="submit" disabled={pending}>
        {pending ? "Granting…" : "Grant"}
      </button>
    </form>
  );
}

/** Issues mail-in codes; they are shown here once, and kept only as hashes. */
export function MailInCodesForm({ action: issue }: { action: FormAction<{ codes: string[] }> }) {
  const [state, action, pending] = useActionState<FormState<{ codes: string[] }>, FormData>(
    issue,
    {},
  );
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <form action={action} className="card stack" aria-label="Issue mail-in codes" noValidate>
      <h3>Issue mail-in codes</h3>
      {state.data && (
        <div className="alert success" role="status">
          <p>Copy these now: they are not shown again.</p>
          <pre className={styles.codes} data-testid="mail-in-codes">
            {state.data.codes.join("\n")}
          </pre>
        </div>
      )}
      <FormOutcome state={state} />
      <Field label="How many" name="count" fields={fields}>
        <input
          {...fields.field("count")}
          inputMode="numeric"
          defaultValue={state.values?.count ?? "1"}
        />
      </Field>
      <Field label="SC each" name="amount" fields={fields}>
        <input
          {...fields.field("amount")}
          inputMode="decimal"
          defaultValue={state.values?.amount ?? "5.00"}
        />
      </Field>
      <Field label="Note (what they are for)" name="note" fields={fields}>
        <input {...fields.field("note")} maxLength={200} defaultValue={state.values?.note} />
      </Field>
      <button type="submit" disabled={pending}>
        {pending ? "Issuing…" : "Issue codes"}
      </button>
    </form>
  );
}
