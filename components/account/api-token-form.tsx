"use client";

import { useActionState } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { ShownToken } from "@/lib/auth/model";

export function ApiTokenForm({
  choices,
  action: create,
}: {
  choices: readonly number[];
  action: FormAction<ShownToken>;
}) {
  const [state, action, pending] = useActionState<FormState<ShownToken>, FormData>(create, {});
  const fields = useFieldErrors(state.fieldErrors);
  return (
    <>
      {state.data && (
        <div className="alert success" role="status" data-testid="new-token">
          <p style={{ marginTop: 0 }}>
            Token “{state.data.name}” created. Copy it now: it is shown only this once.
          </p>
          <div className="row" style={{ alignItems: "center", gap: 12, flexWrap: "wrap" }}>
            <code className="hash" data-testid="new-token-value">
              {state.data.token}
            </code>
            <CopyButton text={state.data.token} />
          </div>
        </div>
      )}
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <form action={action} className="stack">
        <label>
          Token name
          <input maxLength={60} required placeholder="e.g. my script" {...fields.field("name")} />
          {fields.error("name")}
        </label>
        <label>
          Expires after
          <select defaultValue="30" {...fields.field("expiresInDays")}>
            {choices.map((days) => (
              <option key={days} value={days}>
                {days} days
              </option>
            ))}
          </select>
          {fields.error("expiresInDays")}
        </label>
        <button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create token"}
        </button>
      </form>
    </>
  );
}
