"use server";

import { createHash } from "node:crypto";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { claimContext } from "@/lib/abuse/request-signals";
import { currentUser } from "@/lib/auth/current-user";
import { claimDrop } from "@/lib/claims/claim-drop";
import { isAppError } from "@/lib/errors/app-error";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { shippingAddressSchema } from "@/lib/redemptions/model";
import { fieldErrorsOf } from "@/lib/validation/field-errors";

export type ClaimState = { error?: string; code?: string };

const clickKey = z.uuid();

export async function claimAction(
  dropId: string,
  _prev: ClaimState,
  form: FormData,
): Promise<ClaimState> {
  const user = await currentUser();
  if (!user) return { code: "unauthenticated", error: "Sign in as a player to claim" };
  if (user.role !== "player") return { code: "forbidden", error: "Only player accounts can claim" };
  if (!z.uuid().safeParse(dropId).success) return { code: "not_found", error: "No such drop" };
  // The form carries a key made per click: a double submit or a retry gets the first answer.
  const key = clickKey.safeParse(form.get("idempotencyKey"));
  let redemptionId: string;
  try {
    const claim = await claimDrop(getDb(), {
      dropId,
      playerId: user.id,
      idempotencyKey: key.success ? `click:${key.data}` : undefined,
      requestHash: createHash("sha256").update(`action ${dropId}`).digest(),
      ...(await claimContext(await headers())),
    });
    redemptionId = claim.redemption.id;
  } catch (error) {
    if (isAppError(error))
      return { code: String(error.details?.reason ?? error.code), error: error.message };
    throw error;
  }
  redirect(`/redemptions/${redemptionId}?claimed=1`);
}

export type ShippingState = { error?: string; fieldErrors?: Record<string, string> };

export async function confirmShippingAction(
  redemptionId: string,
  _prev: ShippingState,
  form: FormData,
): Promise<ShippingState> {
  const user = await currentUser();
  if (user?.role !== "player") return { error: "Sign in as the player who claimed it" };
  if (!z.uuid().safeParse(redemptionId).success) return { error: "No such redemption" };
  const parsed = shippingAddressSchema.safeParse(
    Object.fromEntries(
      ["name", "line1", "line2", "city", "postalCode", "country"].map((k) => [
        k,
        form.get(k) ?? "",
      ]),
    ),
  );
  if (!parsed.success) return { fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    await confirmShipping(getDb(), user.id, redemptionId, parsed.data);
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
  revalidatePath(`/redemptions/${redemptionId}`);
  return {};
}
