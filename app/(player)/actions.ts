"use server";

import { createHash } from "node:crypto";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { claimContext } from "@/lib/abuse/request-signals";
import { type FormState, formFields } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import { redeemCatalogItem } from "@/lib/catalog/redeem-item";
import { claimDrop } from "@/lib/claims/claim-drop";
import { clientInfo } from "@/lib/http/client-info";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { shippingAddressSchema } from "@/lib/redemptions/model";

const claimRequest = z.object({
  dropId: z.uuid({ error: "No such drop" }),
  // The form carries a key made per click: a double submit or a retry gets the first answer.
  idempotencyKey: z.uuid().optional().catch(undefined),
});

export async function claimAction(
  dropId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  return runAction(
    {
      allow: ["player"],
      refused: {
        unauthenticated: "Sign in as a player to claim",
        forbidden: "Only player accounts can claim",
      },
      schema: claimRequest,
      input: { dropId, idempotencyKey: form.get("idempotencyKey") ?? undefined },
      fieldOf: () => undefined,
    },
    async ({ user, input }) => {
      const claim = await claimDrop(getDb(), {
        dropId: input.dropId,
        playerId: user.id,
        idempotencyKey: input.idempotencyKey && `click:${input.idempotencyKey}`,
        requestHash: createHash("sha256").update(`action ${input.dropId}`).digest(),
        ...(await claimContext(await headers())),
      });
      redirect(`/redemptions/${claim.redemption.id}?claimed=1`);
    },
  );
}

const SHIPPING_FIELDS = ["name", "line1", "line2", "city", "postalCode", "country"] as const;

const shippingRequest = z.object({
  redemptionId: z.uuid({ error: "No such redemption" }),
  address: shippingAddressSchema,
});

export async function confirmShippingAction(
  redemptionId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  return runAction(
    {
      allow: ["player"],
      refused: "Sign in as the player who claimed it",
      schema: shippingRequest,
      input: { redemptionId, address: formFields(form, SHIPPING_FIELDS) },
      fieldOf: ([head, field]) =>
        head === "address" && field !== undefined ? String(field) : undefined,
    },
    async ({ user, input }) => {
      await confirmShipping(getDb(), user.id, input.redemptionId, input.address);
      revalidatePath(`/redemptions/${input.redemptionId}`);
      return {};
    },
  );
}

const redeemRequest = z.object({
  itemId: z.uuid({ error: "No such catalog item" }),
  idempotencyKey: z.uuid({ error: "Reload the page and try again" }),
});

/** Redeems a catalog item for Sweeps Coins, then shows the redemption (or why not). */
export async function redeemCatalogItemAction(
  itemId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  return runAction(
    {
      allow: ["player"],
      refused: {
        unauthenticated: "Sign in as a player to redeem",
        forbidden: "Only player accounts can redeem",
      },
      schema: redeemRequest,
      input: { itemId, idempotencyKey: form.get("idempotencyKey") },
      fieldOf: () => undefined,
    },
    async ({ user, input }) => {
      const result = await redeemCatalogItem(getDb(), {
        playerId: user.id,
        itemId: input.itemId,
        idempotencyKey: `click:${input.idempotencyKey}`,
        now: new Date(),
        context: clientInfo(await headers()),
      });
      redirect(`/redemptions/${result.redemptionId}?redeemed=1`);
    },
  );
}
