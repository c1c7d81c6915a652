"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { signOut } from "@/auth";
import { getDb } from "@/db/client";
import { type FormState, formFields } from "@/lib/actions/form-state";
import { runAction, throwIfRefused } from "@/lib/actions/run-action";
import { createApiTokenForUser, revokeApiToken } from "@/lib/auth/api-tokens";
import { currentUser } from "@/lib/auth/current-user";
import {
  declarationSchema,
  displayNameSchema,
  type ShownToken,
  TOKEN_TTL_CHOICES,
} from "@/lib/auth/model";
import { declareProfile, getProfile, missingDeclarations, renameAccount } from "@/lib/auth/profile";
import { endAllSessions } from "@/lib/auth/sessions";
import { beginEnrolment, confirmEnrolment, disableTwoFactor } from "@/lib/auth/two-factor";
import { declareIdentity } from "@/lib/catalog/identity";
import { identitySchema } from "@/lib/catalog/model";
import { clientInfo } from "@/lib/http/client-info";
import { notificationEvents, preferencesChangeSchema } from "@/lib/notifications/model";
import { changeNotificationPreferences } from "@/lib/notifications/preferences";
import { createLinkChallenge, linkSite, linkWallet, unlinkWallet } from "@/lib/payouts/link-wallet";
import { type LinkChallenge, linkChallengeSchema, linkWalletSchema } from "@/lib/payouts/model";
import { type PushState, pushEndpointSchema, pushSubscriptionSchema } from "@/lib/push/model";
import { removePushSubscription, savePushSubscription } from "@/lib/push/subscriptions";
import { pushOptions } from "@/lib/push/vapid";
import {
  exclusionMessage,
  exclusionSchema,
  type RgSettingsInput,
  rgLimitKinds,
  rgPeriods,
  rgSettingsSchema,
} from "@/lib/rg/model";
import { changeResponsibleGaming, startExclusion } from "@/lib/rg/settings";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";

const tokenForm = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the token a name")
    .max(60, "At most 60 characters")
    .refine(withoutNul, NUL_MESSAGE),
  expiresInDays: z.coerce
    .number()
    .refine((days) => (TOKEN_TTL_CHOICES as readonly number[]).includes(days), "Choose an expiry"),
});

// A code's errors are said atop its form, which has no other field.
const codeForm = z.object({
  code: z.string().trim().min(1, "Enter a code").max(40, "That is not a code"),
});
const atop = () => undefined;

const SIGNED_IN = { allow: "signed-in", refused: "Sign in first" } as const;

export async function createTokenAction(
  _prev: FormState<ShownToken>,
  form: FormData,
): Promise<FormState<ShownToken>> {
  return runAction(
    {
      ...SIGNED_IN,
      schema: tokenForm,
      input: { name: form.get("name"), expiresInDays: form.get("expiresInDays") },
    },
    async ({ user, input }) => {
      // rate_limited, or unauthenticated: the session ended while the token was being made.
      const issued = await createApiTokenForUser(getDb(), user, input, clientInfo(await headers()));
      revalidatePath("/account");
      return {
        data: { token: issued.token, name: issued.name, expiresAt: issued.expiresAt.toISOString() },
      };
    },
  );
}

export async function revokeTokenAction(tokenId: string): Promise<void> {
  const state = await runAction(SIGNED_IN, async ({ user }) => {
    // Someone else's (or no) token is not_found: nothing to revoke, and nothing to tell.
    await revokeApiToken(getDb(), user.id, tokenId, clientInfo(await headers()));
    revalidatePath("/account");
    return {};
  });
  throwIfRefused(state, "unauthenticated", "not_found");
}

export async function signOutEverywhereAction(): Promise<void> {
  // Open to anyone: a browser whose session has already ended still gets its cookie cleared.
  const state = await runAction({ allow: "anyone" }, async () => {
    const user = await currentUser();
    if (user) await endAllSessions(getDb(), user.id, clientInfo(await headers()));
    await signOut({ redirectTo: "/signin" });
    return {};
  });
  throwIfRefused(state);
}

export async function beginTwoFactorAction(): Promise<void> {
  const state = await runAction(SIGNED_IN, async ({ user }) => {
    await beginEnrolment(getDb(), user.id);
    revalidatePath("/account/security");
    return {};
  });
  throwIfRefused(state, "unauthenticated");
}

export async function confirmTwoFactorAction(
  _prev: FormState<string[]>,
  form: FormData,
): Promise<FormState<string[]>> {
  return runAction(
    { ...SIGNED_IN, schema: codeForm, input: { code: form.get("code") }, fieldOf: atop },
    async ({ user, input }) => {
      const recoveryCodes = await confirmEnrolment(
        getDb(),
        user,
        input.code,
        clientInfo(await headers()),
      );
      // No revalidation here: the page would drop the recovery codes before they were written down.
      return { data: recoveryCodes };
    },
  );
}

export async function disableTwoFactorAction(_prev: FormState, form: FormData): Promise<FormState> {
  return runAction(
    { ...SIGNED_IN, schema: codeForm, input: { code: form.get("code") }, fieldOf: atop },
    async ({ user, input }) => {
      await disableTwoFactor(getDb(), user, input.code, clientInfo(await headers()));
      revalidatePath("/account/security");
      return {};
    },
  );
}

export async function declareProfileAction(_prev: FormState, form: FormData): Promise<FormState> {
  return runAction(
    {
      ...SIGNED_IN,
      schema: declarationSchema,
      input: {
        region: form.get("region") || undefined,
        adult: form.get("adult") === "yes" ? true : undefined,
      },
    },
    async ({ user, input }) => {
      const profile = await getProfile(getDb(), user.id);
      const missing = profile ? missingDeclarations(profile, input) : {};
      if (Object.keys(missing).length > 0) return { code: "invalid_input", fieldErrors: missing };
      await declareProfile(getDb(), user.id, input, clientInfo(await headers()));
      revalidatePath("/account");
      return {};
    },
  );
}

const renameForm = z.object({ displayName: displayNameSchema });

export async function renameAccountAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = formFields(form, ["displayName"]);
  return runAction(
    { ...SIGNED_IN, schema: renameForm, input: values, values },
    async ({ user, input }) => {
      const { displayName } = await renameAccount(
        getDb(),
        user.id,
        input.displayName,
        clientInfo(await headers()),
      );
      // The header (in the root layout) shows the name too.
      revalidatePath("/", "layout");
      return { notice: "Display name saved.", values: { displayName } };
    },
  );
}

const PLAYER = {
  allow: ["player"],
  refused: "Only players set responsible-gaming limits",
} as const;

const LIMIT_FIELDS = rgLimitKinds.flatMap((kind) =>
  rgPeriods.map((period) => ({ kind, period, name: `${kind}.${period}` })),
);

async function saveResponsibleGaming(userId: string, input: RgSettingsInput): Promise<void> {
  await changeResponsibleGaming(
    getDb(),
    input,
    { ...clientInfo(await headers()), userId },
    new Date(),
  );
  revalidatePath("/account/responsible-gaming");
}

/** Sets the nine limits of the form: an empty field is no limit. Lowering applies at once. */
export async function setLimitsAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = formFields(
    form,
    LIMIT_FIELDS.map((f) => f.name),
  );
  return runAction(
    {
      ...PLAYER,
      schema: rgSettingsSchema,
      input: {
        limits: LIMIT_FIELDS.map(({ kind, period, name }) => ({
          kind,
          period,
          amount: values[name]?.trim() ? values[name].trim() : null,
        })),
      },
      values,
      fieldOf: (path) => (typeof path[1] === "number" ? LIMIT_FIELDS[path[1]]?.name : undefined),
    },
    async ({ user, input }) => {
      await saveResponsibleGaming(user.id, input);
      return { notice: "Limits saved. A lower limit applies now; a higher one in 24 hours." };
    },
  );
}

const exclusionForm = z.object({
  exclusion: exclusionSchema,
  confirm: z.literal("yes", { error: "Tick the box to confirm" }),
});

/** Starts a cool-off or self-exclusion; nobody can end it early, so the form asks to confirm. */
export async function startExclusionAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = formFields(form, ["kind", "days", "term", "confirm"]);
  return runAction(
    {
      ...PLAYER,
      schema: exclusionForm,
      input: {
        exclusion:
          values.kind === "cool_off"
            ? { kind: "cool_off", days: Number(values.days) }
            : { kind: values.kind, term: values.term },
        confirm: values.confirm,
      },
      values,
      fieldOf: (path) => (path.length > 0 ? String(path[path.length - 1]) : undefined),
    },
    async ({ user, input }) => {
      const view = await startExclusion(
        getDb(),
        input.exclusion,
        { ...clientInfo(await headers()), userId: user.id },
        new Date(),
      );
      revalidatePath("/account/responsible-gaming");
      return { notice: view.exclusion ? exclusionMessage(view.exclusion) : "Started" };
    },
  );
}

/** Sets or turns off the session-time reminder. */
export async function setSessionReminderAction(
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const values = formFields(form, ["minutes"]);
  return runAction(
    {
      ...PLAYER,
      schema: rgSettingsSchema,
      input: { sessionReminderMinutes: values.minutes ? Number(values.minutes) : null },
      values,
      fieldOf: () => "minutes",
    },
    async ({ user, input }) => {
      await saveResponsibleGaming(user.id, input);
      return {
        notice: input.sessionReminderMinutes
          ? `You will be reminded every ${input.sessionReminderMinutes} minutes of play`
          : "Session reminder off",
      };
    },
  );
}

const IDENTITY_FIELDS = [
  "legalName",
  "birthDate",
  "line1",
  "line2",
  "city",
  "region",
  "postalCode",
  "country",
] as const;

/** Declares the identity Sweeps Coins redemptions need (legal name, 18+, postal address). */
export async function declareIdentityAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = formFields(form, IDENTITY_FIELDS);
  const { legalName, birthDate, ...postalAddress } = values;
  return runAction(
    {
      ...PLAYER,
      refused: "Only players declare an identity",
      schema: identitySchema,
      input: { legalName, birthDate, postalAddress },
      values,
      fieldOf: (path) => (path.length > 0 ? String(path[path.length - 1]) : undefined),
    },
    async ({ user, input }) => {
      await declareIdentity(
        getDb(),
        input,
        { ...clientInfo(await headers()), userId: user.id },
        new Date(),
      );
      revalidatePath("/account/identity");
      return { notice: "Identity declared: you may redeem Sweeps Coins" };
    },
  );
}

const PLAYERS = { allow: ["player"], refused: "Only players link wallets" } as const;

/** The URL the browser asked for, as the site it signs a wallet link for (lib/payouts). */
async function requestedUrl(): Promise<string> {
  const incoming = await headers();
  const proto = incoming.get("x-forwarded-proto")?.split(",")[0]?.trim() || "http";
  return `${proto}://${incoming.get("host") ?? "localhost"}/`;
}

export async function beginWalletLinkAction(
  _prev: FormState<LinkChallenge>,
  form: FormData,
): Promise<FormState<LinkChallenge>> {
  return runAction(
    { ...PLAYERS, schema: linkChallengeSchema, input: { address: form.get("address") } },
    async ({ user, input }) => {
      const site = linkSite(await requestedUrl());
      return {
        data: await createLinkChallenge(
          getDb(),
          { userId: user.id },
          input.address,
          site,
          new Date(),
        ),
      };
    },
  );
}

export async function linkWalletAction(_prev: FormState, form: FormData): Promise<FormState> {
  return runAction(
    {
      ...PLAYERS,
      schema: linkWalletSchema,
      input: { message: form.get("message"), signature: form.get("signature") },
      values: formFields(form, ["message", "signature"]),
      errorFields: { wallet_signature_invalid: "signature" },
    },
    async ({ user, input }) => {
      const link = await linkWallet(
        getDb(),
        { ...clientInfo(await headers()), userId: user.id },
        input,
        linkSite(await requestedUrl()),
        new Date(),
      );
      revalidatePath("/account");
      return { notice: `Wallet ${link.address} linked: crypto prizes are paid to it.` };
    },
  );
}

export async function unlinkWalletAction(): Promise<void> {
  const state = await runAction(PLAYERS, async ({ user }) => {
    await unlinkWallet(getDb(), { ...clientInfo(await headers()), userId: user.id }, new Date());
    revalidatePath("/account");
    return {};
  });
  throwIfRefused(state, "not_found");
}

const PUSH_PLAYERS = { allow: ["player"], refused: "Only players get push notifications" } as const;

/** This browser's PushSubscription (its toJSON()), from the account page's push control. */
export async function subscribePushAction(subscription: unknown): Promise<FormState<PushState>> {
  return runAction(
    {
      ...PUSH_PLAYERS,
      schema: pushSubscriptionSchema,
      input: subscription,
      fieldOf: () => undefined,
    },
    async ({ user, input }) => ({
      data: await savePushSubscription(getDb(), user.id, input, pushOptions()),
    }),
  );
}

/** The browser unsubscribed: stop pushing to its endpoint. */
export async function unsubscribePushAction(endpoint: unknown): Promise<FormState<PushState>> {
  return runAction(
    { ...PUSH_PLAYERS, schema: pushEndpointSchema, input: { endpoint }, fieldOf: () => undefined },
    async ({ user, input }) => ({
      data: await removePushSubscription(getDb(), user.id, input.endpoint, pushOptions()),
    }),
  );
}

/** The notification choices on /account: in-app only, or each event's email and push. */
export async function saveNotificationPreferencesAction(
  _prev: FormState,
  form: FormData,
): Promise<FormState> {
  const on = (name: string) => form.get(name) === "yes";
  return runAction(
    {
      allow: ["player"],
      refused: "Only players get notifications",
      schema: preferencesChangeSchema,
      input: on("inAppOnly")
        ? { inAppOnly: true }
        : {
            events: Object.fromEntries(
              notificationEvents.map((e) => [
                e,
                { email: on(`email.${e}`), push: on(`push.${e}`) },
              ]),
            ),
          },
    },
    async ({ user, input }) => {
      await changeNotificationPreferences(getDb(), user.id, input, clientInfo(await headers()));
      revalidatePath("/account");
      return { notice: "Saved: your notification choices apply to every mail from now on." };
    },
  );
}
