"use client";

import { useActionState } from "react";
import { FormMessages } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";

export function UnsubscribeForm({
  token,
  action: unsubscribe,
}: {
  token: string;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(unsubscribe, {});
  return (
    <form action={action} className="stack">
      <FormMessages state={state} />
      <input type="hidden" name="token" value={token} />
      {!state.notice && (
        <button type="submit" disabled={pending} data-testid="unsubscribe">
          {pending ? "Stopping…" : "Stop notification emails"}
        </button>
      )}
    </form>
  );
}
