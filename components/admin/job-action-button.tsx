"use client";

import { useActionState, useEffect } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import { announceActionNotice } from "./action-notices";

/**
 * One button posting one bound action (retry, cancel), with its outcome beside it: the notice
 * once done (also told to the page's `ActionNotices`, which outlive a row that moves away), or the
 * refusal in words (another admin was first, the job is running…).
 */
export function JobActionButton({
  action: run,
  label,
  pendingLabel,
  secondary = false,
}: {
  action: FormAction;
  label: string;
  pendingLabel: string;
  secondary?: boolean;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(run, {});
  useEffect(() => {
    if (state.notice) announceActionNotice(state.notice);
  }, [state.notice]);
  if (state.notice) {
    return (
      <span className="small" role="status">
        {state.notice}
      </span>
    );
  }
  return (
    <form action={action} className="row">
      <button type="submit" className={secondary ? "secondary" : undefined} disabled={pending}>
        {pending ? pendingLabel : label}
      </button>
      {state.error && (
        <span className="field-error" role="alert">
          {state.error}
        </span>
      )}
    </form>
  );
}
