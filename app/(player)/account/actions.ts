"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { signOut } from "@/auth";
import { getDb } from "@/db/client";
import { createApiTokenForUser, revokeApiToken } from "@/lib/auth/api-tokens";
import { currentUser } from "@/lib/auth/current-user";
import { declarationSchema, TOKEN_TTL_CHOICES } from "@/lib/auth/model";
import { declareProfile, getProfile, missingDeclarations } from "@/lib/auth/profile";
import { endAllSessions } from "@/lib/auth/sessions";
import { beginEnrolment, confirmEnrolment, disableTwoFactor } from "@/lib/auth/two-factor";
import { isAppError } from "@/lib/errors/app-error";
import { clientInfo } from "@/lib/http/client-info";
import { fieldErrorsOf } from "@/lib/validation/field-errors";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";

export type TokenFormState = {
  error?: string;
  fieldErrors?: Record<string, string>;
  /** The new token, shown this once. */
  created?: { token: string; name: string; expiresAt: string };
};

export type CodeFormState = { error?: string; recoveryCodes?: string[]; done?: boolean };

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

const codeForm = z.string().trim().min(1, "Enter a code").max(40, "That is not a code");

export async function createTokenAction(
  _prev: TokenFormState,
  form: FormData,
): Promise<TokenFormState> {
  const user = await currentUser();
  if (!user) return { error: "Sign in first" };
  const parsed = tokenForm.safeParse({
    name: form.get("name"),
    expiresInDays: form.get("expiresInDays"),
  });
  if (!parsed.success) return { fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    const issued = await createApiTokenForUser(
      getDb(),
      user,
      parsed.data,
      clientInfo(await headers()),
    );
    revalidatePath("/account");
    return {
      created: {
        token: issued.token,
        name: issued.name,
        expiresAt: issued.expiresAt.toISOString(),
      },
    };
  } catch (error) {
    // rate_limited, or unauthenticated: the session ended while the token was being made.
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
}

export async function revokeTokenAction(tokenId: string): Promise<void> {
  const user = await currentUser();
  if (!user) return;
  try {
    await revokeApiToken(getDb(), user.id, tokenId, clientInfo(await headers()));
  } catch (error) {
    // Someone else's (or no) token: nothing to revoke, and nothing to tell.
    if (!(isAppError(error) && error.code === "not_found")) throw error;
  }
  revalidatePath("/account");
}

export async function signOutEverywhereAction(): Promise<void> {
  const user = await currentUser();
  if (user) await endAllSessions(getDb(), user.id, clientInfo(await headers()));
  await signOut({ redirectTo: "/signin" });
}

export async function beginTwoFactorAction(): Promise<void> {
  const user = await currentUser();
  if (!user) return;
  await beginEnrolment(getDb(), user.id);
  revalidatePath("/account/security");
}

export async function confirmTwoFactorAction(
  _prev: CodeFormState,
  form: FormData,
): Promise<CodeFormState> {
  const user = await currentUser();
  if (!user) return { error: "Sign in first" };
  const code = codeForm.safeParse(form.get("code"));
  if (!code.success) return { error: code.error.issues[0]?.message };
  try {
    const recoveryCodes = await confirmEnrolment(
      getDb(),
      user,
      code.data,
      clientInfo(await headers()),
    );
    // No revalidation here: the page would drop the recovery codes before they were written down.
    return { recoveryCodes };
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
}

export async function disableTwoFactorAction(
  _prev: CodeFormState,
  form: FormData,
): Promise<CodeFormState> {
  const user = await currentUser();
  if (!user) return { error: "Sign in first" };
  const code = codeForm.safeParse(form.get("code"));
  if (!code.success) return { error: code.error.issues[0]?.message };
  try {
    await disableTwoFactor(getDb(), user, code.data, clientInfo(await headers()));
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
  revalidatePath("/account/security");
  return { done: true };
}

export type ProfileFormState = { error?: string; fieldErrors?: Record<string, string> };

export async function declareProfileAction(
  _prev: ProfileFormState,
  form: FormData,
): Promise<ProfileFormState> {
  const user = await currentUser();
  if (!user) return { error: "Sign in first" };
  const parsed = declarationSchema.safeParse({
    region: form.get("region") || undefined,
    adult: form.get("adult") === "yes" ? true : undefined,
  });
  if (!parsed.success) return { fieldErrors: fieldErrorsOf(parsed.error) };
  const profile = await getProfile(getDb(), user.id);
  const missing = profile ? missingDeclarations(profile, parsed.data) : {};
  if (Object.keys(missing).length > 0) return { fieldErrors: missing };
  try {
    await declareProfile(getDb(), user.id, parsed.data, clientInfo(await headers()));
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
  revalidatePath("/account");
  return {};
}
