"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import { type FormState, formFields, onceValid } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import { shipmentStepSchema } from "@/lib/delivery/model";
import { advanceShipment } from "@/lib/delivery/shipment";
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

const SHIPMENT_NOTICES = {
  packed: "Marked packed: the player sees it now",
  shipped: "Marked shipped: the player sees the carrier and tracking number now",
  delivered: "Marked delivered: the delivery is on its way to the ledger",
} as const;

export async function advanceShipmentAction(
  redemptionId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const values = formFields(form, ["step", "carrier", "trackingNumber"]);
  return runAction(
    {
      allow: ["admin"],
      refused: "Only admins with two-factor on can record a parcel's steps",
      schema: shipmentStepSchema,
      // An empty tracking number is asked for, rather than called malformed.
      input: { ...values, trackingNumber: values.trackingNumber || undefined },
      values,
      // The step is the form's own hidden field: a bad one is said atop the form.
      fieldOf: ([field]) => (field === "step" || field === undefined ? undefined : String(field)),
    },
    async ({ user, input }) => {
      await advanceShipment(
        getDb(),
        { redemptionId: String(redemptionId), adminId: user.id, step: input },
        clientInfo(await headers()),
      );
      revalidatePath(`/admin/redemptions/${redemptionId}`);
      return { notice: SHIPMENT_NOTICES[input.step] };
    },
  );
}
