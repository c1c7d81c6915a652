"use server";

import { getDb } from "@/db/client";
import type { FormState } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import { unsubscribeSchema } from "@/lib/notifications/model";
import { unsubscribeFromMail } from "@/lib/notifications/notification-mail";

/** The button behind a notification email's unsubscribe link: the token is the authority. */
export async function unsubscribeAction(_prev: FormState, form: FormData): Promise<FormState> {
  return runAction(
    {
      allow: "anyone",
      schema: unsubscribeSchema,
      input: { token: form.get("token") },
      fieldOf: () => undefined,
    },
    async ({ input }) => {
      await unsubscribeFromMail(getDb(), input.token);
      return { notice: "Done: we will not email you notifications any more." };
    },
  );
}
