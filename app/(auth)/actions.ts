"use server";

import { headers } from "next/headers";
import { AuthError } from "next-auth";
import { SignInRefused, signIn, signOut } from "@/auth";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/record-event";
import { createAccount, signUpSchema } from "@/lib/auth/accounts";
import type { SignInReason } from "@/lib/auth/sign-in";
import { isAppError } from "@/lib/errors/app-error";
import { clientInfo } from "@/lib/http/client-info";

export type FormState = {
  error?: string;
  fieldErrors?: Record<string, string | undefined>;
  values?: Record<string, string>;
};

function safeRedirect(target: FormDataEntryValue | null): string {
  const value = typeof target === "string" ? target : "";
  // Only same-site paths: never an open redirect to another origin.
  return value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export type SignInState = FormState & {
  /** The account has two-factor on: the form shows the authentication code field. */
  otpRequired?: boolean;
  reason?: SignInReason;
};

function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

function refusalMessage(refusal: SignInRefused): string {
  const wait = describeWait(refusal.retryAfter ?? 1);
  switch (refusal.reason) {
    case "locked":
      return `Too many failed sign-ins: this account is locked. Try again in ${wait}.`;
    case "rate_limited":
      return `Too many sign-in attempts. Try again in ${wait}.`;
    case "otp_required":
      return "Enter the 6-digit code from your authenticator app, or one of your recovery codes.";
    case "otp_invalid":
      return "That authentication code did not work. Enter the current code, or an unused recovery code.";
    default:
      return "Wrong email or password.";
  }
}

export async function signInAction(prev: SignInState, formData: FormData): Promise<SignInState> {
  const email = String(formData.get("email") ?? "");
  try {
    await signIn("credentials", {
      email,
      password: String(formData.get("password") ?? ""),
      otp: String(formData.get("otp") ?? ""),
      redirectTo: safeRedirect(formData.get("next")),
    });
    return {};
  } catch (error) {
    // A successful sign-in "throws" Next's redirect, which must propagate.
    if (error instanceof SignInRefused) {
      const asksForCode = error.reason === "otp_required" || error.reason === "otp_invalid";
      return {
        error: refusalMessage(error),
        reason: error.reason,
        values: { email },
        otpRequired: asksForCode || (prev.otpRequired && error.reason !== "invalid_credentials"),
      };
    }
    if (error instanceof AuthError) {
      return { error: "Wrong email or password.", values: { email } };
    }
    throw error;
  }
}

export async function signUpAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = {
    email: String(formData.get("email") ?? ""),
    displayName: String(formData.get("displayName") ?? ""),
  };
  const parsed = signUpSchema.safeParse({
    email: values.email,
    password: formData.get("password"),
    displayName: values.displayName || undefined,
  });
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? "form");
      fieldErrors[field] ??= issue.message;
    }
    return { fieldErrors, values };
  }
  const db = getDb();
  try {
    const user = await createAccount(db, parsed.data);
    await recordEvent(db, {
      ...clientInfo(await headers()),
      actorId: user.id,
      action: "sign_up",
      subject: `user:${user.id}`,
      outcome: "ok",
    });
  } catch (error) {
    if (isAppError(error) && error.code === "email_taken") {
      return { fieldErrors: { email: error.message }, values };
    }
    throw error;
  }
  await signIn("credentials", {
    email: parsed.data.email,
    password: parsed.data.password,
    redirectTo: "/",
  });
  return {};
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/" });
}
