"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import { type FormState, formFields, onceValid } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import { clientInfo } from "@/lib/http/client-info";
import { prizeRecoveryLabels, reversalSchema } from "@/lib/redemptions/model";
import { reverseRedemption } from "@/lib/redemptions/reverse-redemption";

const reversalForm = reversalSchema
  .extend({ confirm: z.unknown() })
  .superRefine(({ confirm }, ctx) => {
    if (confirm !== "on") {
      ctx.addIssue({
        code: "custom",
        path: ["confirm"],
        message: "Tick the box to confirm the reversal",
      });
    }
  }, onceValid);

export async function reverseRedemptionAction(
  redemptionId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const values = formFields(form, ["reason"]);
  return runAction(
    {
      allow: ["admin"],
      refused: "Only admins with two-factor on can reverse redemptions",
      schema: reversalForm,
      input: { ...values, confirm: form.get("confirm") },
      values,
    },
    async ({ user, input }) => {
      const reversal = await reverseRedemption(
        getDb(),
        { redemptionId: String(redemptionId), adminId: user.id, reason: input.reason },
        clientInfo(await headers()),
      );
      revalidatePath(`/admin/redemptions/${redemptionId}`);
      return {
        notice: `Reversed. ${prizeRecoveryLabels[reversal.prize]}. The reversal is on its way to the ledger.`,
      };
    },
  );
}
