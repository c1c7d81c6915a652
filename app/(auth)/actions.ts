"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { AuthError } from "next-auth";
import { SignInRefused, signIn, signOut } from "@/auth";
import { getDb } from "@/db/client";
import { type FormState, formFields } from "@/lib/actions/form-state";
import { runAction, throwIfRefused } from "@/lib/actions/run-action";
import { resendVerificationEmail, verifyEmail } from "@/lib/auth/email-verification";
import type { SignInReason, SignInStep } from "@/lib/auth/model";
import { forgotPasswordSchema, resetPasswordSchema, signUpFormSchema } from "@/lib/auth/model";
import {
  limitPasswordResetRequests,
  requestPasswordReset,
  resetPassword,
} from "@/lib/auth/password-reset";
import { signUp } from "@/lib/auth/sign-up";
import { clientInfo } from "@/lib/http/client-info";
import { safeRedirectPath, withReturnPath } from "@/lib/http/safe-redirect-path";
import { logError } from "@/lib/log";

type Refusal = { reason: SignInReason; retryAfter?: number };

function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

function refusalMessage(refusal: Refusal): string {
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

/**
 * Auth.js's sign-in with its refusal as a value. A success "throws" Next's redirect, which must
 * propagate; Auth.js throws a refusal, which is an answer for the form, not a failure.
 */
async function passwordSignIn(options: Record<string, string>): Promise<Refusal | undefined> {
  try {
    await signIn("credentials", options);
    return undefined;
  } catch (error) {
    if (error instanceof SignInRefused) return error;
    if (error instanceof AuthError) return { reason: "invalid_credentials" };
    throw error;
  }
}

export async function signInAction(
  prev: FormState<SignInStep>,
  formData: FormData,
): Promise<FormState<SignInStep>> {
  const { email, password, otp } = formFields(formData, ["email", "password", "otp"]);
  return runAction({ allow: "anyone" }, async () => {
    const refusal = await passwordSignIn({
      email,
      password,
      otp,
      redirectTo: safeRedirectPath(formData.get("next")),
    });
    if (!refusal) return {};
    const asksForCode = refusal.reason === "otp_required" || refusal.reason === "otp_invalid";
    return {
      error: refusalMessage(refusal),
      code: refusal.reason,
      values: { email },
      data: {
        otpRequired:
          asksForCode ||
          (prev.data?.otpRequired === true && refusal.reason !== "invalid_credentials"),
      },
    };
  });
}

export async function signUpAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const values = {
    ...formFields(formData, ["email", "displayName", "region"]),
    adult: formData.get("adult") === null ? "" : "yes",
  };
  const { password } = formFields(formData, ["password"]);
  // Where the player was before signing up: the mailed link and this redirect take them back.
  const next = safeRedirectPath(formData.get("next"));
  return runAction({ allow: "anyone", values, errorFields: { email_taken: "email" } }, async () => {
    // signUp parses (and audits a refusal) itself: its ZodError is the form's field errors.
    const { email } = await signUp(
      getDb(),
      {
        email: values.email,
        password,
        displayName: values.displayName.trim() || undefined,
        region: values.region || undefined,
        adult: values.adult ? true : undefined,
      },
      clientInfo(await headers()),
      signUpFormSchema,
      next,
    );
    await signIn("credentials", { email, password, redirectTo: next });
    return {};
  });
}

export async function signOutAction(): Promise<void> {
  const state = await runAction({ allow: "anyone" }, async () => {
    await signOut({ redirectTo: "/" });
    return {};
  });
  throwIfRefused(state);
}

/** The button on /verify-email: a POST, so mail scanners fetching the link do not use it up. */
export async function confirmEmailAction(_prev: FormState, formData: FormData): Promise<FormState> {
  return runAction({ allow: "anyone" }, async () => {
    await verifyEmail(getDb(), formFields(formData, ["token"]).token, clientInfo(await headers()));
    // The root layout shows the "not verified" banner: a redirect alone would keep it cached.
    revalidatePath("/", "layout");
    redirect(withReturnPath("/verify-email/confirmed", formData.get("next")));
  });
}

export async function resendVerificationAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  return runAction(
    { allow: "signed-in", refused: "Sign in first, then ask for a new link." },
    async ({ user }) => {
      const outcome = await resendVerificationEmail(
        getDb(),
        user.id,
        clientInfo(await headers()),
        safeRedirectPath(formData.get("next")),
      );
      return {
        notice:
          outcome === "sent"
            ? `We sent a new link to ${user.email}. Links in earlier emails no longer work.`
            : "Your email address is already confirmed.",
      };
    },
  );
}

const resetLinkSent =
  "If an account exists for that email, we sent it a link to choose a new password. The link works for an hour.";

export async function forgotPasswordAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const values = formFields(formData, ["email"]);
  return runAction(
    { allow: "anyone", schema: forgotPasswordSchema, input: values, values },
    async ({ input }) => {
      const db = getDb();
      const context = clientInfo(await headers());
      await limitPasswordResetRequests(db, context);
      // Looking the account up and mailing happen after the answer is sent: the answer's text and
      // timing are the same whether or not the account exists.
      after(() =>
        requestPasswordReset(db, input.email, context).catch((error: unknown) => {
          logError("password_reset_request_failed", error, { requestId: context.requestId });
        }),
      );
      return { notice: resetLinkSent, values };
    },
  );
}

export async function resetPasswordAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  return runAction(
    {
      allow: "anyone",
      schema: resetPasswordSchema,
      input: formFields(formData, ["token", "password", "confirm"]),
    },
    async ({ input }) => {
      await resetPassword(getDb(), input, clientInfo(await headers()));
      // Every session has ended, this browser's too: the layout must stop showing the account.
      revalidatePath("/", "layout");
      redirect("/reset-password/done");
    },
  );
}
