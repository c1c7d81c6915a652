"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import { type FormState, formFields } from "@/lib/actions/form-state";
import { runAction, throwIfRefused } from "@/lib/actions/run-action";
import { createCatalogItem, updateCatalogItem } from "@/lib/catalog/catalog";
import {
  createCatalogItemSchema,
  formWholeNumber,
  rejectionSchema,
  updateCatalogItemSchema,
} from "@/lib/catalog/model";
import { approveRedemption, rejectRedemption } from "@/lib/catalog/review-redemption";
import { clientInfo } from "@/lib/http/client-info";

const ADMIN = ["admin"] as const;

/** Puts a prize on sale for Sweeps Coins (audited). */
export async function createCatalogItemAction(
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const values = formFields(form, ["prizeId", "price", "stock", "position", "instantWin"]);
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can change the catalog",
      schema: createCatalogItemSchema,
      input: {
        prizeId: values.prizeId,
        price: values.price,
        stock: formWholeNumber(values.stock),
        position: values.position.trim() === "" ? 0 : formWholeNumber(values.position),
        instantWin: form.get("instantWin") === "on",
      },
      values,
    },
    async ({ user, input }) => {
      await createCatalogItem(getDb(), input, { ...clientInfo(await headers()), actorId: user.id });
      revalidatePath("/admin/catalog");
      return { notice: "On sale" };
    },
  );
}

/** Changes an item's price and stock (audited). */
export async function updateCatalogItemAction(
  itemId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const values = formFields(form, ["price", "stock"]);
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can change the catalog",
      schema: updateCatalogItemSchema,
      input: {
        price: values.price,
        stock: formWholeNumber(values.stock),
        instantWin: form.get("instantWin") === "on",
      },
      values,
    },
    async ({ user, input }) => {
      await updateCatalogItem(getDb(), itemId, input, {
        ...clientInfo(await headers()),
        actorId: user.id,
      });
      revalidatePath("/admin/catalog");
      return { notice: "Saved" };
    },
  );
}

const retirement = z.object({ itemId: z.uuid(), retired: z.boolean() });

/** Takes an item off sale, or puts it back (audited). */
export async function setCatalogItemRetiredAction(itemId: string, retired: boolean): Promise<void> {
  const state = await runAction(
    {
      allow: ADMIN,
      refused: "Only admins can change the catalog",
      schema: retirement,
      input: { itemId, retired },
    },
    async ({ user, input }) => {
      await updateCatalogItem(
        getDb(),
        input.itemId,
        { retired: input.retired },
        {
          ...clientInfo(await headers()),
          actorId: user.id,
        },
      );
      revalidatePath("/admin/catalog");
      return {};
    },
  );
  throwIfRefused(state);
}

/** Approves a held catalog redemption: the player sees its code (audited). */
export async function approveRedemptionAction(
  redemptionId: string,
  _prev: FormState,
  _form: FormData,
): Promise<FormState> {
  return runAction(
    { allow: ADMIN, refused: "Only admins review redemptions" },
    async ({ user }) => {
      const review = await approveRedemption(
        getDb(),
        redemptionId,
        { ...clientInfo(await headers()), adminId: user.id },
        new Date(),
      );
      // The row stays, saying what became of it, until the admin reloads the queue.
      return { notice: `Approved (${review.status.replace("_", " ")})` };
    },
  );
}

/** Rejects a held catalog redemption with a reason: its SC are refunded once (audited). */
export async function rejectRedemptionAction(
  redemptionId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const values = formFields(form, ["reason"]);
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins review redemptions",
      schema: rejectionSchema,
      input: values,
      values,
    },
    async ({ user, input }) => {
      const review = await rejectRedemption(
        getDb(),
        redemptionId,
        input.reason,
        { ...clientInfo(await headers()), adminId: user.id },
        new Date(),
      );
      return { notice: `Rejected: ${review.refundedSc} SC refunded` };
    },
  );
}
