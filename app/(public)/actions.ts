"use server";

import { getDb } from "@/db/client";
import type { FormState } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import { notificationEventLabels, unsubscribeSchema } from "@/lib/notifications/model";
import { unsubscribeFromMail } from "@/lib/notifications/preferences";

/** The button behind a notification email's unsubscribe link: the token is the authority. */
export async function unsubscribeAction(_prev: FormState, form: FormData): Promise<FormState> {
  return runAction(
    {
      allow: "anyone",
      schema: unsubscribeSchema,
      input: { token: form.get("token"), event: form.get("event") ?? undefined },
      fieldOf: () => undefined,
    },
    async ({ input }) => {
      await unsubscribeFromMail(getDb(), input.token, input.event);
      return {
        notice: input.event
          ? `Done: we will not email you about this any more (${notificationEventLabels[input.event].toLowerCase()}).`
          : "Done: we will not email you notifications any more.",
      };
    },
  );
}
