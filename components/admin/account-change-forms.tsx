"use client";

import { type ReactNode, useActionState } from "react";
import { type FieldErrorLinks, useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { roleLabels } from "@/lib/auth/model";

/** The account-change action bound to the account shown. */
type Props = { action: FormAction };

/** One form of the account page: its own state, its own message, the shared action. */
function ChangeForm({
  action: change,
  label,
  children,
}: Props & {
  label: string;
  children: (state: FormState, pending: boolean, fields: FieldErrorLinks) => ReactNode;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(change, {});
  const fields = useFieldErrors(state.fieldErrors);
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
      {children(state, pending, fields)}
    </form>
  );
}

function Confirm({ fields, text }: { fields: FieldErrorLinks; text: string }) {
  return (
    <label className="small">
      <span>
        <input type="checkbox" {...fields.field("confirm")} /> {text}
      </span>
      {fields.error("confirm")}
    </label>
  );
}

export function AccountRoleForm({ action, role }: Props & { role: string }) {
  return (
    <ChangeForm action={action} label="Role">
      {(state, pending, fields) => (
        <>
          <label>
            New role
            <select {...fields.field("role")} defaultValue={state.values?.role || role}>
              {Object.entries(roleLabels).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            {fields.error("role")}
          </label>
          <Confirm fields={fields} text="I confirm this role change" />
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
      {(state, pending, fields) =>
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
                {...fields.field("flaggedReason")}
                maxLength={500}
                defaultValue={state.values?.flaggedReason}
              />
              {fields.error("flaggedReason")}
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
      {(state, pending, fields) =>
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
                {...fields.field("suspendedReason")}
                maxLength={500}
                defaultValue={state.values?.suspendedReason}
              />
              {fields.error("suspendedReason")}
            </label>
            <Confirm
              fields={fields}
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
