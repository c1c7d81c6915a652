"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { AuthError } from "next-auth";
import { ZodError } from "zod";
import { SignInRefused, signIn, signOut } from "@/auth";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { resendVerificationEmail, verifyEmail } from "@/lib/auth/email-verification";
import type { SignInReason } from "@/lib/auth/model";
import { forgotPasswordSchema, resetPasswordSchema, signUpFormSchema } from "@/lib/auth/model";
import {
  limitPasswordResetRequests,
  requestPasswordReset,
  resetPassword,
} from "@/lib/auth/password-reset";
import { signUp } from "@/lib/auth/sign-up";
import { isAppError } from "@/lib/errors/app-error";
import { clientInfo } from "@/lib/http/client-info";
import { safeRedirectPath } from "@/lib/http/safe-redirect-path";
import { logError } from "@/lib/log";
import { fieldErrorsOf } from "@/lib/validation/field-errors";

export type FormState = {
  error?: string;
  fieldErrors?: Record<string, string | undefined>;
  values?: Record<string, string>;
  /** A confirmation to show (the form stays usable). */
  notice?: string;
};

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
    case "account_suspended":
      return "This account is suspended: it cannot sign in.";
    default:
      return "Wrong email or password";
  }
}

export async function signInAction(prev: SignInState, formData: FormData): Promise<SignInState> {
  const email = String(formData.get("email") ?? "");
  try {
    await signIn("credentials", {
      email,
      password: String(formData.get("password") ?? ""),
      otp: String(formData.get("otp") ?? ""),
      redirectTo: safeRedirectPath(formData.get("next")),
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
      return { error: "Wrong email or password", values: { email } };
    }
    throw error;
  }
}

export async function signUpAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = {
    email: String(formData.get("email") ?? ""),
    displayName: String(formData.get("displayName") ?? ""),
    region: String(formData.get("region") ?? ""),
    adult: formData.get("adult") === null ? "" : "yes",
  };
  const password = String(formData.get("password") ?? "");
  let email: string;
  try {
    const input = {
      email: values.email,
      password,
      displayName: values.displayName || undefined,
      region: values.region || undefined,
      adult: values.adult ? true : undefined,
    };
    ({ email } = await signUp(getDb(), input, clientInfo(await headers()), signUpFormSchema));
  } catch (error) {
    if (error instanceof ZodError) return { fieldErrors: fieldErrorsOf(error), values };
    if (isAppError(error) && error.code === "email_taken") {
      return { fieldErrors: { email: error.message }, values };
    }
    if (isAppError(error) && error.code === "rate_limited") return { error: error.message, values };
    throw error;
  }
  await signIn("credentials", { email, password, redirectTo: "/" });
  return {};
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/" });
}

/** The button on /verify-email: a POST, so mail scanners fetching the link do not use it up. */
export async function confirmEmailAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const token = String(formData.get("token") ?? "");
  try {
    await verifyEmail(getDb(), token, clientInfo(await headers()));
  } catch (error) {
    if (isAppError(error) && error.code === "invalid_link") return { error: error.message };
    throw error;
  }
  // The root layout shows the "not verified" banner: a redirect alone would keep it cached.
  revalidatePath("/", "layout");
  redirect("/verify-email/confirmed");
}

export async function resendVerificationAction(_prev: FormState): Promise<FormState> {
  const user = await currentUser();
  if (!user) return { error: "Sign in first, then ask for a new link." };
  try {
    const outcome = await resendVerificationEmail(getDb(), user.id, clientInfo(await headers()));
    return {
      notice:
        outcome === "sent"
          ? `We sent a new link to ${user.email}. Links in earlier emails no longer work.`
          : "Your email address is already confirmed.",
    };
  } catch (error) {
    if (isAppError(error) && (error.code === "rate_limited" || error.code === "unavailable")) {
      return { error: error.message };
    }
    throw error;
  }
}

const resetLinkSent =
  "If an account exists for that email, we sent it a link to choose a new password. The link works for an hour.";

export async function forgotPasswordAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const values = { email: String(formData.get("email") ?? "") };
  const parsed = forgotPasswordSchema.safeParse(values);
  if (!parsed.success) return { fieldErrors: fieldErrorsOf(parsed.error), values };
  const db = getDb();
  const context = clientInfo(await headers());
  try {
    await limitPasswordResetRequests(db, context);
  } catch (error) {
    if (isAppError(error) && error.code === "rate_limited") return { error: error.message, values };
    throw error;
  }
  // Looking the account up and mailing happen after the answer is sent: the answer's text and
  // timing are the same whether or not the account exists.
  after(() =>
    requestPasswordReset(db, parsed.data.email, context).catch((error: unknown) => {
      logError("password_reset_request_failed", error);
    }),
  );
  return { notice: resetLinkSent, values };
}

export async function resetPasswordAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const parsed = resetPasswordSchema.safeParse({
    token: String(formData.get("token") ?? ""),
    password: String(formData.get("password") ?? ""),
    confirm: String(formData.get("confirm") ?? ""),
  });
  if (!parsed.success) return { fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    await resetPassword(getDb(), parsed.data, clientInfo(await headers()));
  } catch (error) {
    if (isAppError(error) && error.code === "invalid_link") return { error: error.message };
    throw error;
  }
  // Every session has ended, this browser's too: the layout must stop showing the account.
  revalidatePath("/", "layout");
  redirect("/reset-password/done");
}
