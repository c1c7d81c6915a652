"use client";

import { type ReactNode, useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { roleLabels } from "@/lib/auth/model";

/** The account-change action bound to the account shown. */
type Props = { action: FormAction };

/** One form of the account page: its own state, its own message, the shared action. */
function ChangeForm({
  action: change,
  label,
  children,
}: Props & { label: string; children: (state: FormState, pending: boolean) => ReactNode }) {
  const [state, action, pending] = useActionState<FormState, FormData>(change, {});
  return (
    <form action={action} className="card stack" aria-label={label} noValidate>
      <h3>{label}</h3>
      {state.notice && (
        <p className="alert success" role="status">
          {state.notice}
        </p>
      )}
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      {children(state, pending)}
    </form>
  );
}

function Confirm({ state, text }: { state: FormState; text: string }) {
  return (
    <label className="small">
      <span>
        <input type="checkbox" name="confirm" /> {text}
      </span>
      {state.fieldErrors?.confirm && (
        <span className="field-error">{state.fieldErrors.confirm}</span>
      )}
    </label>
  );
}

export function AccountRoleForm({ action, role }: Props & { role: string }) {
  return (
    <ChangeForm action={action} label="Role">
      {(state, pending) => (
        <>
          <label>
            New role
            <select name="role" defaultValue={state.values?.role || role}>
              {Object.entries(roleLabels).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            {state.fieldErrors?.role && (
              <span className="field-error">{state.fieldErrors.role}</span>
            )}
          </label>
          <Confirm state={state} text="I confirm this role change" />
          <button type="submit" disabled={pending}>
            Change role
          </button>
        </>
      )}
    </ChangeForm>
  );
}

export function AccountFlagForm({ action, flagged }: Props & { flagged: boolean }) {
  return (
    <ChangeForm action={action} label="Review flag">
      {(state, pending) =>
        flagged ? (
          <>
            <input type="hidden" name="flagged" value="false" />
            <button type="submit" className="secondary" disabled={pending}>
              Clear the flag
            </button>
          </>
        ) : (
          <>
            <input type="hidden" name="flagged" value="true" />
            <label>
              Reason for flagging
              <input
                name="flaggedReason"
                maxLength={500}
                defaultValue={state.values?.flaggedReason}
              />
              {state.fieldErrors?.flaggedReason && (
                <span className="field-error">{state.fieldErrors.flaggedReason}</span>
              )}
            </label>
            <button type="submit" disabled={pending}>
              Flag for review
            </button>
          </>
        )
      }
    </ChangeForm>
  );
}

export function AccountSuspendForm({ action, suspended }: Props & { suspended: boolean }) {
  return (
    <ChangeForm action={action} label="Suspension">
      {(state, pending) =>
        suspended ? (
          <>
            <input type="hidden" name="suspended" value="false" />
            <button type="submit" className="secondary" disabled={pending}>
              Lift the suspension
            </button>
          </>
        ) : (
          <>
            <input type="hidden" name="suspended" value="true" />
            <label>
              Reason for suspending
              <input
                name="suspendedReason"
                maxLength={500}
                defaultValue={state.values?.suspendedReason}
              />
              {state.fieldErrors?.suspendedReason && (
                <span className="field-error">{state.fieldErrors.suspendedReason}</span>
              )}
            </label>
            <Confirm
              state={state}
              text="I confirm: the account is signed out everywhere and can no longer claim"
            />
            <button type="submit" disabled={pending}>
              Suspend account
            </button>
          </>
        )
      }
    </ChangeForm>
  );
}
