"use client";

import { useActionState } from "react";
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
  // Told from the action itself, not from a render: on a live page the row may be gone (a
  // retried delivery is no longer dead) before the answer comes.
  const [state, action, pending] = useActionState<FormState, FormData>(async (previous, form) => {
    const next = await run(previous, form);
    if (next.notice) announceActionNotice(next.notice);
    return next;
  }, {});
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
