"use client";

import { useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

/** Marks one notification read (`id`), or every unread one (no id). */
export function MarkReadForm({ action: mark, id }: { action: FormAction; id?: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(mark, {});
  return (
    <form action={action} className="mark-read">
      {id ? (
        <input type="hidden" name="id" value={id} />
      ) : (
        <input type="hidden" name="all" value="true" />
      )}
      <button
        type="submit"
        className={id ? "secondary small" : "secondary"}
        disabled={pending}
        data-testid={id ? "mark-read" : "mark-all-read"}
      >
        {id ? "Mark as read" : "Mark all read"}
      </button>
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
    </form>
  );
}
