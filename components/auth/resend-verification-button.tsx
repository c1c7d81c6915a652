"use client";

import { usePathname } from "next/navigation";
import { useActionState } from "react";
import type { FormAction, FormState } from "@/lib/actions/form-state";

/**
 * Asks for a new verification link. The link brings the player back to `returnTo`, or else to
 * the page this button is on (the banner shows it on every page), but never to /verify-email.
 */
export function ResendVerificationButton({
  label = "Resend link",
  returnTo,
  action: resend,
}: {
  label?: string;
  returnTo?: string;
  action: FormAction;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(resend, {});
  const pathname = usePathname();
  const next = returnTo ?? (pathname.startsWith("/verify-email") ? "/" : pathname);
  return (
    <form action={action} className="row">
      <input type="hidden" name="next" value={next} />
      <button type="submit" className="secondary" disabled={pending}>
        {pending ? "Sending…" : label}
      </button>
      {state.notice && (
        <span role="status" data-testid="resend-notice">
          {state.notice}
        </span>
      )}
      {state.error && (
        <span role="alert" className="field-error">
          {state.error}
        </span>
      )}
    </form>
  );
}
