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
import { type ClaimResult, claimDrop } from "@/lib/claims/claim-drop";
import type { HeldClaim } from "@/lib/claims/model";
import { env } from "@/lib/config/env";
import { isAppError } from "@/lib/errors/app-error";
import { clientSeedSchema, type FairnessView, type RotationView } from "@/lib/fairness/model";
import { rotateSeed, setClientSeed } from "@/lib/fairness/seeds";
import { clientInfo } from "@/lib/http/client-info";
import { markReadSchema } from "@/lib/notifications/model";
import { markNotificationsRead } from "@/lib/notifications/notifications";
import { purchaseSchema } from "@/lib/payments/model";
import { paymentProvider, purchaseReturnUrl } from "@/lib/payments/provider";
import { startPurchase } from "@/lib/payments/purchases";
import { checkAdmission } from "@/lib/queue/admission-token";
import { ADMISSION_FIELD } from "@/lib/queue/model";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { shippingAddressSchema } from "@/lib/redemptions/model";
import type { RoundView } from "@/lib/rounds/model";
import { playRound } from "@/lib/rounds/play-round";
import { claimDailyBonus, redeemMailInCode } from "@/lib/wallet/free-coins";
import { formatCoins, mailInRedeemSchema } from "@/lib/wallet/model";

const claimRequest = z.object({
  dropId: z.uuid({ error: "No such drop" }),
  // The form carries a key made per click: a double submit or a retry gets the first answer.
  idempotencyKey: z.uuid().optional().catch(undefined),
  // A waiting room's admission token (hidden field); checked against the account and drop.
  admission: z.string().max(200).optional().catch(undefined),
});

export async function claimAction(
  dropId: string,
  _prev: FormState<HeldClaim>,
  form: FormData,
): Promise<FormState<HeldClaim>> {
  return runAction(
    {
      allow: ["player"],
      refused: {
        unauthenticated: "Sign in as a player to claim",
        forbidden: "Only player accounts can claim",
      },
      schema: claimRequest,
      input: {
        dropId,
        idempotencyKey: form.get("idempotencyKey") ?? undefined,
        admission: form.get(ADMISSION_FIELD) ?? undefined,
      },
      fieldOf: () => undefined,
    },
    async ({ user, input }) => {
      let claim: ClaimResult;
      try {
        claim = await claimDrop(getDb(), {
          dropId: input.dropId,
          playerId: user.id,
          idempotencyKey: input.idempotencyKey && `click:${input.idempotencyKey}`,
          requestHash: createHash("sha256").update(`action ${input.dropId}`).digest(),
          admission: checkAdmission(input.admission, { dropId: input.dropId, playerId: user.id }),
          ...(await claimContext(await headers())),
        });
      } catch (error) {
        const held = isAppError(error) ? error.details?.redemptionId : undefined;
        if (!isAppError(error) || typeof held !== "string") throw error;
        // Already claimed: the page links to what the player holds instead of only refusing.
        return {
          code: error.code,
          reason: "limit_reached",
          error: error.message,
          data: { redemptionId: held },
        };
      }
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

const purchaseRequest = purchaseSchema.extend({
  // A key made per click: a double submit buys once.
  idempotencyKey: z.uuid({ error: "Reload the page and try again" }),
});

/** Starts buying a coin package; the form then sends the player to the provider's page. */
export async function buyPackageAction(
  packageId: string,
  _prev: FormState<{ confirmUrl: string | null; purchaseId: string }>,
  form: FormData,
): Promise<FormState<{ confirmUrl: string | null; purchaseId: string }>> {
  return runAction(
    {
      allow: ["player"],
      refused: "Sign in as a player to buy coins",
      schema: purchaseRequest,
      input: { packageId, idempotencyKey: form.get("idempotencyKey") },
    },
    async ({ user, input }) => {
      const started = await startPurchase(getDb(), paymentProvider(), {
        userId: user.id,
        packageId: input.packageId,
        idempotencyKey: `page:${input.idempotencyKey}`,
        returnUrl: purchaseReturnUrl,
        context: clientInfo(await headers()),
      });
      return { data: { confirmUrl: started.confirmUrl, purchaseId: started.purchase.id } };
    },
  );
}

export async function claimDailyBonusAction(_prev: FormState, _form: FormData): Promise<FormState> {
  return runAction(
    { allow: ["player"], refused: "Sign in as a player to claim free Sweeps Coins" },
    async ({ user }) => {
      const bonus = await claimDailyBonus(getDb(), {
        userId: user.id,
        amount: env().DAILY_SC,
        context: clientInfo(await headers()),
      });
      revalidatePath("/wallet");
      return { notice: `${formatCoins(bonus.amount)} free Sweeps Coins added to your wallet` };
    },
  );
}

export async function redeemMailInAction(_prev: FormState, form: FormData): Promise<FormState> {
  return runAction(
    {
      allow: ["player"],
      refused: "Sign in as a player to redeem a code",
      schema: mailInRedeemSchema,
      input: formFields(form, ["code"]),
      values: formFields(form, ["code"]),
      errorFields: { invalid_code: "code", code_used: "code" },
    },
    async ({ user, input }) => {
      const { amount } = await redeemMailInCode(getDb(), {
        userId: user.id,
        code: input.code,
        context: clientInfo(await headers()),
      });
      revalidatePath("/wallet");
      return { notice: `${formatCoins(amount)} free Sweeps Coins added to your wallet` };
    },
  );
}

const playRequest = z.object({
  // The page makes a key per click: a double submit or a retry answers the first round.
  idempotencyKey: z.uuid({ error: "A round needs a fresh key" }),
  round: z.unknown(),
});

/** Plays a round from the game page: `round` is what POST /api/v1/rounds takes. */
export async function playRoundAction(input: {
  idempotencyKey: string;
  round: unknown;
}): Promise<FormState<RoundView>> {
  return runAction(
    {
      allow: ["player"],
      refused: "Sign in as a player to play",
      schema: playRequest,
      input,
      fieldOf: () => undefined,
    },
    async ({ user, input }) => {
      const { round } = await playRound(getDb(), {
        playerId: user.id,
        body: input.round,
        idempotencyKey: `click:${input.idempotencyKey}`,
        ...clientInfo(await headers()),
      });
      return { data: round };
    },
  );
}

export async function setClientSeedAction(
  _prev: FormState<FairnessView>,
  form: FormData,
): Promise<FormState<FairnessView>> {
  return runAction(
    {
      allow: ["player"],
      refused: "Sign in as a player to set a client seed",
      schema: z.object({ clientSeed: clientSeedSchema }),
      input: { clientSeed: form.get("clientSeed") },
      values: { clientSeed: String(form.get("clientSeed") ?? "") },
    },
    async ({ user, input }) => ({
      data: await setClientSeed(getDb(), user.id, input.clientSeed),
      notice: "Your next rounds use this client seed",
    }),
  );
}

export async function rotateSeedAction(
  _prev: FormState<RotationView>,
  _form: FormData,
): Promise<FormState<RotationView>> {
  return runAction(
    { allow: ["player"], refused: "Sign in as a player to rotate your seed" },
    async ({ user }) => ({
      data: await rotateSeed(getDb(), user.id),
      notice: "Seed revealed: your rounds with it can now be verified",
    }),
  );
}

/** Marks one notification read (the form's `id`), or all of them (`all`). */
export async function markNotificationsReadAction(
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  return runAction(
    {
      allow: ["player"],
      refused: "Sign in as a player to read your notifications",
      schema: markReadSchema,
      input: form.get("all") === "true" ? { all: true } : { ids: form.getAll("id") },
    },
    async ({ user, input }) => {
      await markNotificationsRead(getDb(), user.id, input);
      revalidatePath("/notifications");
      return {};
    },
  );
}
