"use client";

import { useActionState } from "react";
import { createTokenAction, type TokenFormState } from "@/app/(player)/account/actions";
import { CopyButton } from "./copy-button";

export function ApiTokenForm({ choices }: { choices: readonly number[] }) {
  const [state, action, pending] = useActionState<TokenFormState, FormData>(createTokenAction, {});
  const errors = state.fieldErrors ?? {};
  return (
    <>
      {state.created && (
        <div className="alert success" role="status" data-testid="new-token">
          <p style={{ marginTop: 0 }}>
            Token “{state.created.name}” created. Copy it now: it is shown only this once.
          </p>
          <div className="row" style={{ alignItems: "center", gap: 12, flexWrap: "wrap" }}>
            <code className="hash" data-testid="new-token-value">
              {state.created.token}
            </code>
            <CopyButton text={state.created.token} />
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
          <input name="name" maxLength={60} required placeholder="e.g. my script" />
          {errors.name && <span className="field-error">{errors.name}</span>}
        </label>
        <label>
          Expires after
          <select name="expiresInDays" defaultValue="30">
            {choices.map((days) => (
              <option key={days} value={days}>
                {days} days
              </option>
            ))}
          </select>
          {errors.expiresInDays && <span className="field-error">{errors.expiresInDays}</span>}
        </label>
        <button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create token"}
        </button>
      </form>
    </>
  );
}
