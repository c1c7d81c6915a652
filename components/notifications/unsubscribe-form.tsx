"use client";

import { useActionState } from "react";
import { FormMessages } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";

export function UnsubscribeForm({
  token,
  event,
  action: unsubscribe,
}: {
  token: string;
  /** Only this event's mails; all of them when empty. */
  event: string;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(unsubscribe, {});
  return (
    <form action={action} className="stack">
      <FormMessages state={state} />
      <input type="hidden" name="token" value={token} />
      {event && <input type="hidden" name="event" value={event} />}
      {!state.notice && (
        <button type="submit" disabled={pending} data-testid="unsubscribe">
          {pending ? "Stopping…" : event ? "Stop emails like this" : "Stop notification emails"}
        </button>
      )}
    </form>
  );
}
