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
import { claimDrop } from "@/lib/claims/claim-drop";
import { clientSeedSchema, type FairnessView, type RotationView } from "@/lib/fairness/model";
import { rotateSeed, setClientSeed } from "@/lib/fairness/seeds";
import { clientInfo } from "@/lib/http/client-info";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { shippingAddressSchema } from "@/lib/redemptions/model";
import type { RoundView } from "@/lib/rounds/model";
import { playRound } from "@/lib/rounds/play-round";

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
