"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { currentUser, needsTwoFactor } from "@/lib/auth/current-user";
import { isAppError } from "@/lib/errors/app-error";
import { clientInfo } from "@/lib/http/client-info";
import { reversalSchema } from "@/lib/redemptions/model";
import { reverseRedemption } from "@/lib/redemptions/reverse-redemption";

export type ReversalFormState = {
  ok?: string;
  error?: string;
  fieldErrors?: { reason?: string; confirm?: string };
  values?: { reason: string };
};

export async function reverseRedemptionAction(
  redemptionId: string,
  _prev: ReversalFormState,
  form: FormData,
): Promise<ReversalFormState> {
  const admin = await currentUser();
  // As on the admin pages and API: an admin acts as one only with two-factor on.
  if (admin?.role !== "admin" || needsTwoFactor(admin)) {
    return { error: "Only admins with two-factor on can reverse redemptions" };
  }
  const values = { reason: String(form.get("reason") ?? "") };
  const parsed = reversalSchema.safeParse(values);
  if (!parsed.success) {
    return { fieldErrors: { reason: parsed.error.issues[0]?.message }, values };
  }
  if (form.get("confirm") !== "on") {
    return { fieldErrors: { confirm: "Tick the box to confirm the reversal" }, values };
  }
  try {
    await reverseRedemption(
      getDb(),
      { redemptionId: String(redemptionId), adminId: admin.id, reason: parsed.data.reason },
      clientInfo(await headers()),
    );
  } catch (error) {
    if (isAppError(error)) return { error: error.message, values };
    throw error;
  }
  revalidatePath(`/admin/redemptions/${redemptionId}`);
  return {
    ok: "Reversed: the unit is back in the drop and the reversal is on its way to the ledger",
  };
}
