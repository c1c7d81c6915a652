"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { excludedRegionSchema, removeRegionSchema } from "@/lib/abuse/model";
import { addExcludedRegion, removeExcludedRegion } from "@/lib/abuse/regions";
import { type FormState, formFields, onceValid } from "@/lib/actions/form-state";
import { runAction, throwIfRefused } from "@/lib/actions/run-action";
import { changeAccount } from "@/lib/admin/manage-accounts";
import { accountChangeSchema } from "@/lib/admin/model";
import type { SessionUser } from "@/lib/auth/current-user";
import { env } from "@/lib/config/env";
import { dropFieldOf, readDropForm } from "@/lib/drops/drop-form";
import { createDrop, updateDrop } from "@/lib/drops/drops";
import { createDropSchema, type UpdateDropInput, updateDropSchema } from "@/lib/drops/model";
import { countryName } from "@/lib/geo/model";
import { clientInfo } from "@/lib/http/client-info";
import { createCoinPackage, setCoinPackageRetired } from "@/lib/payments/coin-packages";
import { coinPackageSchema, paymentResolutionSchema } from "@/lib/payments/model";
import { resolvePayment } from "@/lib/payments/review-payment";
import { createPrizeSchema, updatePrizeSchema } from "@/lib/prizes/model";
import { type AdminActor, createPrize, updatePrize } from "@/lib/prizes/prizes";
import { admissionRateSchema, type QueueStats } from "@/lib/queue/model";
import { setAdmissionRate } from "@/lib/queue/queue";
import { grantCoins, issueMailInCodes } from "@/lib/wallet/free-coins";
import { formatCoins, grantSchema, mailInIssueSchema } from "@/lib/wallet/model";
import {
  createWebhookEndpoint,
  replayWebhookDelivery,
  rotateWebhookSecret,
  setWebhookEndpointEnabled,
} from "@/lib/webhooks/endpoints";
import { webhookEndpointSchema } from "@/lib/webhooks/model";

const ADMIN = ["admin"] as const;

/** The admin as the actor of an audited change, with the request's address. */
async function actorOf(admin: SessionUser): Promise<AdminActor> {
  return { ...clientInfo(await headers()), actorId: admin.id };
}

const PRIZE_FIELDS = [
  "name",
  "kind",
  "description",
  "value",
  "quantity",
  "tokenAmount",
  "tokenSymbol",
  "delivery",
  "providerProduct",
];

/** The prize fields a form carries; empty token fields are absent (the kind may not have them). */
function prizeFormValues(form: FormData) {
  const values = Object.fromEntries(
    PRIZE_FIELDS.filter((k) => form.has(k)).map((k) => [k, String(form.get(k) ?? "")]),
  );
  const input: Record<string, string> = { ...values };
  if (!input.tokenAmount) delete input.tokenAmount;
  if (!input.tokenSymbol) delete input.tokenSymbol;
  if (!input.providerProduct) delete input.providerProduct;
  return { values, input };
}

// The form asks for what players will be shown; the API keeps older token-less crypto prizes.
const prizeForm = createPrizeSchema.superRefine((prize, ctx) => {
  if (prize.kind !== "crypto" || prize.tokenAmount) return;
  ctx.addIssue({
    code: "custom",
    path: ["tokenAmount"],
    message: "A crypto prize needs the token amount a unit pays out",
  });
  if (!prize.tokenSymbol) {
    ctx.addIssue({ code: "custom", path: ["tokenSymbol"], message: "and the token's symbol" });
  }
}, onceValid);

export async function createPrizeAction(_prev: FormState, form: FormData): Promise<FormState> {
  const { values, input } = prizeFormValues(form);
  return runAction(
    { allow: ADMIN, refused: "Only admins can create prizes", schema: prizeForm, input, values },
    async ({ user, input }) => {
      const { id } = await createPrize(getDb(), input, await actorOf(user));
      revalidatePath("/admin");
      // To what was made, which says so (a refusal stays on the form with what was typed).
      redirect(`/admin/prizes/${id}?created=1`);
    },
  );
}

/** Edits a prize's name, description, value, quantity (not below what drops hold) or token. */
export async function updatePrizeAction(
  prizeId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const { values, input } = prizeFormValues(form);
  delete input.kind;
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can edit prizes",
      schema: updatePrizeSchema,
      input,
      values,
    },
    async ({ user, input }) => {
      await updatePrize(getDb(), prizeId, input, await actorOf(user));
      revalidatePath(`/admin/prizes/${prizeId}`);
      return { notice: "Saved" };
    },
  );
}

const retirement = z.object({
  prizeId: z.uuid({ error: "No such prize" }),
  retired: z.boolean(),
});

/** Retires a prize (no new drop may use it) or brings it back. */
export async function setPrizeRetiredAction(prizeId: string, retired: boolean): Promise<void> {
  const state = await runAction(
    {
      allow: ADMIN,
      refused: "Only admins can retire prizes",
      schema: retirement,
      input: { prizeId, retired },
    },
    async ({ user, input }) => {
      await updatePrize(getDb(), input.prizeId, { retired: input.retired }, await actorOf(user));
      revalidatePath(`/admin/prizes/${input.prizeId}`);
      revalidatePath("/admin/prizes");
      return {};
    },
  );
  throwIfRefused(state);
}

export async function createDropAction(_prev: FormState, form: FormData): Promise<FormState> {
  const { values, input } = readDropForm(form);
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can create drops",
      schema: createDropSchema,
      input,
      values,
      fieldOf: dropFieldOf,
    },
    async ({ user, input }) => {
      const { id } = await createDrop(getDb(), input, await actorOf(user));
      revalidatePath("/admin");
      redirect(`/admin/drops/${id}?created=1`);
    },
  );
}

/** Edits a drop before its start, or moves a started drop's end later. */
export async function updateDropAction(
  dropId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const { values, input } = readDropForm(form);
  delete input.prizeId;
  delete input.units;
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can edit drops",
      schema: updateDropSchema,
      input,
      values,
      fieldOf: dropFieldOf,
    },
    async ({ user, input }) => {
      await updateDrop(getDb(), dropId, input, await actorOf(user));
      revalidatePath(`/admin/drops/${dropId}`);
      return { notice: "Saved", values };
    },
  );
}

const dropStateChange = z.object({
  dropId: z.uuid({ error: "No such drop" }),
  paused: z.boolean().optional(),
  end: z.literal(true).optional(),
  start: z.literal(true).optional(),
  confirm: z.literal("on", { error: "Tick the box to confirm" }).optional(),
});

/** Pauses, resumes or (with `confirm` ticked) ends a drop early or starts it now. */
function changeDropState(
  dropId: string,
  change: Pick<UpdateDropInput, "paused" | "end" | "start"> & { confirm?: unknown },
): Promise<FormState> {
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can change drops",
      schema: dropStateChange,
      input: { dropId, ...change },
      // A drop id that is not one is no field of the form: said atop it.
      fieldOf: (path) => (path[0] === "confirm" ? "confirm" : undefined),
    },
    async ({ user, input: { dropId, confirm: _, ...change } }) => {
      await updateDrop(getDb(), dropId, change, await actorOf(user));
      revalidatePath("/admin");
      revalidatePath(`/admin/drops/${dropId}`);
      const notice = change.end
        ? "The drop has ended"
        : change.start
          ? "The drop has started"
          : "Saved";
      return { notice };
    },
  );
}

export async function setDropPausedAction(dropId: string, paused: boolean): Promise<void> {
  throwIfRefused(await changeDropState(dropId, { paused }));
}

/** Ends a live drop now; the form must tick `confirm`. */
export async function endDropAction(
  dropId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  return changeDropState(dropId, { end: true, confirm: form.get("confirm") ?? "" });
}

/**
 * Starts a scheduled drop now (audited): its waiting room's pre-queue is drawn as at the start.
 * The form must tick `confirm`; a second click finds the drop started and is told so.
 */
export async function startDropNowAction(
  dropId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  return changeDropState(dropId, { start: true, confirm: form.get("confirm") ?? "" });
}

const admissionRateChange = z.object({
  dropId: z.uuid({ error: "No such drop" }),
  admissionRatePerMinute: admissionRateSchema,
});

/** Changes a waiting room's admission rate while it runs: the next batch is let in at it. */
export async function setAdmissionRateAction(
  dropId: string,
  _prev: FormState<QueueStats>,
  form: FormData,
): Promise<FormState<QueueStats>> {
  const values = formFields(form, ["admissionRatePerMinute"]);
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can change the admission rate",
      schema: admissionRateChange,
      input: { dropId, ...values },
      values,
      fieldOf: (path) => (path[0] === "admissionRatePerMinute" ? path[0] : undefined),
    },
    async ({ user, input }) => {
      const stats = await setAdmissionRate(getDb(), {
        dropId: input.dropId,
        ratePerMinute: input.admissionRatePerMinute,
        ...(await actorOf(user)),
      });
      return {
        notice: `Players are now let in ${stats.admissionRatePerMinute.toLocaleString("en")} a minute`,
        data: stats,
      };
    },
  );
}

/** The change a form asks for: only the fields the form carries. */
function accountChangeFrom(form: FormData) {
  const text = (key: string) => {
    const value = form.get(key);
    return typeof value === "string" ? value : undefined;
  };
  const flag = (key: string) => (text(key) === undefined ? undefined : text(key) === "true");
  return Object.fromEntries(
    Object.entries({
      role: text("role"),
      flagged: flag("flagged"),
      flaggedReason: text("flaggedReason"),
      suspended: flag("suspended"),
      suspendedReason: text("suspendedReason"),
    }).filter(([, value]) => value !== undefined),
  );
}

// A role change or a suspension cannot be taken back without another admin: it needs `confirm`.
const accountChangeForm = z
  .object({ change: accountChangeSchema, confirm: z.unknown() })
  .superRefine(({ change, confirm }, ctx) => {
    const destructive = change.suspended === true || change.role !== undefined;
    if (destructive && confirm !== "on") {
      ctx.addIssue({ code: "custom", path: ["confirm"], message: "Tick the box to confirm" });
    }
  }, onceValid);

/** Changes an account's role, flag or suspension; a role change or a suspension needs `confirm`. */
export async function changeAccountAction(
  accountId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can change accounts",
      schema: accountChangeForm,
      input: { change: accountChangeFrom(form), confirm: form.get("confirm") },
      values: formFields(form, ["role", "flaggedReason", "suspendedReason"]),
      fieldOf: ([head, field]) => {
        const key = head === "change" ? field : head;
        return key === undefined ? undefined : String(key);
      },
    },
    async ({ user, input }) => {
      // not_found, own_account, last_admin: said to the admin in words.
      await changeAccount(getDb(), {
        ...clientInfo(await headers()),
        actorId: user.id,
        accountId,
        change: input.change,
      });
      revalidatePath(`/admin/accounts/${accountId}`);
      return { notice: "Saved" };
    },
  );
}

/**
 * Excludes a region from every claim and lottery entry, or only from Sweeps Coins play and
 * redemption (a note says why; audited).
 */
export async function excludeRegionAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = formFields(form, ["code", "note"]);
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can change the excluded regions",
      schema: excludedRegionSchema,
      input: { ...values, sweepsOnly: form.get("sweepsOnly") === "on" },
      values,
    },
    async ({ user, input }) => {
      await addExcludedRegion(getDb(), input, { ...clientInfo(await headers()), actorId: user.id });
      revalidatePath("/admin/regions");
      const what = input.sweepsOnly ? "closed to Sweeps Coins" : "excluded";
      return { notice: `${countryName(input.code)} (${input.code}) is ${what}` };
    },
  );
}

/** Opens an excluded region again (a note says why; audited). */
export async function includeRegionAction(
  code: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins can change the excluded regions",
      schema: removeRegionSchema,
      input: { code, note: formFields(form, ["note"]).note },
    },
    async ({ user, input }) => {
      await removeExcludedRegion(getDb(), input, {
        ...clientInfo(await headers()),
        actorId: user.id,
      });
      revalidatePath("/admin/regions");
      // The row and its form are gone: the page itself says what happened.
      redirect(`/admin/regions?opened=${input.code}`);
    },
  );
}

const GRANT_FIELDS = ["userId", "currency", "amount", "reason"] as const;
const grantRequest = grantSchema.extend({
  // A key made when the form is shown: a double submit grants once.
  idempotencyKey: z.uuid({ error: "Reload the page and try again" }),
});

export async function grantCoinsAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = formFields(form, GRANT_FIELDS);
  return runAction(
    {
      allow: ADMIN,
      schema: grantRequest,
      input: { ...values, idempotencyKey: form.get("idempotencyKey") },
      values,
      errorFields: { not_found: "userId" },
    },
    async ({ user, input }) => {
      await grantCoins(getDb(), {
        adminId: user.id,
        ...input,
        idempotencyKey: `page:${input.idempotencyKey}`,
        context: clientInfo(await headers()),
      });
      revalidatePath("/admin/wallet");
      revalidatePath(`/admin/accounts/${input.userId}/wallet`);
      return { notice: `Granted ${formatCoins(input.amount)} ${input.currency}` };
    },
  );
}

/**
 * Resolves a payment under review: the form's two buttons send `action` (credit or refunded),
 * with the reason typed once for either.
 */
export async function resolvePaymentAction(
  paymentId: string,
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const values = formFields(form, ["action", "reason"]);
  return runAction(
    {
      allow: ADMIN,
      refused: "Only admins resolve payments",
      schema: paymentResolutionSchema,
      input: values,
      values,
    },
    async ({ user, input }) => {
      const review = await resolvePayment(
        getDb(),
        paymentId,
        input,
        { ...clientInfo(await headers()), adminId: user.id },
        new Date(),
      );
      // No revalidation: the row stays, saying what became of it, until the admin reloads.
      if (review.status === "refunded") return { notice: "Closed as refunded: nothing credited" };
      const credited = `Credited ${formatCoins(review.gcCredited)} GC and ${formatCoins(review.scCredited)} SC`;
      return {
        notice: review.limitPassed
          ? `${credited}, past the limit: ${review.limitPassed}`
          : credited,
      };
    },
  );
}

export async function issueMailInCodesAction(
  _prev: FormState<{ codes: string[] }>,
  form: FormData,
): Promise<FormState<{ codes: string[] }>> {
  const values = formFields(form, ["count", "amount", "note"]);
  return runAction(
    { allow: ADMIN, schema: mailInIssueSchema, input: values, values },
    async ({ user, input }) => {
      const { codes } = await issueMailInCodes(getDb(), {
        adminId: user.id,
        ...input,
        context: clientInfo(await headers()),
      });
      return { data: { codes } };
    },
  );
}

const PACKAGE_FIELDS = ["name", "price", "gc", "bonusSc"] as const;

export async function createCoinPackageAction(
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const values = formFields(form, PACKAGE_FIELDS);
  return runAction(
    { allow: ADMIN, schema: coinPackageSchema, input: values, values },
    async ({ user, input }) => {
      const created = await createCoinPackage(getDb(), user.id, input, clientInfo(await headers()));
      revalidatePath("/admin/wallet/packages");
      return { notice: `${created.name} is on sale` };
    },
  );
}

const packageRetirement = z.object({ packageId: z.uuid(), retired: z.boolean() });

export async function setCoinPackageRetiredAction(
  packageId: string,
  retired: boolean,
): Promise<void> {
  const state = await runAction(
    { allow: ADMIN, schema: packageRetirement, input: { packageId, retired } },
    async ({ user, input }) => {
      await setCoinPackageRetired(
        getDb(),
        user.id,
        input.packageId,
        input.retired,
        clientInfo(await headers()),
      );
      revalidatePath("/admin/wallet/packages");
      return {};
    },
  );
  throwIfRefused(state);
}

const WEBHOOKS_REFUSED = "Only admins can manage webhooks";

/** Adds a webhook endpoint; its secret is in the answer, shown once (audited without it). */
export async function createWebhookEndpointAction(
  _prev: FormState<{ secret: string }>,
  form: FormData,
): Promise<FormState<{ secret: string }>> {
  const values = formFields(form, ["url"]);
  return runAction(
    {
      allow: ADMIN,
      refused: WEBHOOKS_REFUSED,
      schema: webhookEndpointSchema,
      input: { url: values.url, eventTypes: form.getAll("eventTypes") },
      values,
    },
    async ({ user, input }) => {
      const { secret } = await createWebhookEndpoint(
        getDb(),
        input,
        { ...clientInfo(await headers()), actorId: user.id },
        { allowPrivate: env().WEBHOOK_ALLOW_PRIVATE },
      );
      revalidatePath("/admin/webhooks");
      return {
        notice: "Endpoint added. Copy its secret now: it is not shown again",
        data: { secret },
      };
    },
  );
}

const endpointIdSchema = z.object({ endpointId: z.uuid({ error: "No such endpoint" }) });

/** Enables or disables a webhook endpoint (audited). */
export async function setWebhookEndpointEnabledAction(
  endpointId: string,
  enabled: boolean,
  _prev: FormState,
  _form: FormData,
): Promise<FormState> {
  return runAction(
    { allow: ADMIN, refused: WEBHOOKS_REFUSED, schema: endpointIdSchema, input: { endpointId } },
    async ({ user, input }) => {
      await setWebhookEndpointEnabled(getDb(), input.endpointId, enabled === true, {
        ...clientInfo(await headers()),
        actorId: user.id,
      });
      revalidatePath("/admin/webhooks");
      return { notice: enabled ? "Enabled" : "Disabled" };
    },
  );
}

/** A new secret for a webhook endpoint, shown once; the previous one signs beside it for a day. */
export async function rotateWebhookSecretAction(
  endpointId: string,
  _prev: FormState<{ secret: string }>,
  _form: FormData,
): Promise<FormState<{ secret: string }>> {
  return runAction(
    { allow: ADMIN, refused: WEBHOOKS_REFUSED, schema: endpointIdSchema, input: { endpointId } },
    async ({ user, input }) => {
      const { secret } = await rotateWebhookSecret(getDb(), input.endpointId, {
        ...clientInfo(await headers()),
        actorId: user.id,
      });
      revalidatePath("/admin/webhooks");
      return {
        notice: "New secret made; the previous one signs too for 24 hours. Copy it now",
        data: { secret },
      };
    },
  );
}

/** Sends a webhook delivery again, with the same webhook-id (audited). */
export async function replayWebhookDeliveryAction(
  deliveryId: string,
  _prev: FormState,
  _form: FormData,
): Promise<FormState> {
  return runAction(
    {
      allow: ADMIN,
      refused: WEBHOOKS_REFUSED,
      schema: z.object({ deliveryId: z.uuid({ error: "No such delivery" }) }),
      input: { deliveryId },
    },
    async ({ user, input }) => {
      await replayWebhookDelivery(getDb(), input.deliveryId, {
        ...clientInfo(await headers()),
        actorId: user.id,
      });
      return { notice: "Replay queued" };
    },
  );
}
