import type { Metadata } from "next";
import Link from "next/link";
import { confirmEmailAction, resendVerificationAction } from "@/app/(auth)/actions";
import { ConfirmEmailForm } from "@/components/auth/confirm-email-form";
import { ResendVerificationButton } from "@/components/auth/resend-verification-button";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { emailTokenProblemMessage, inspectEmailToken } from "@/lib/auth/email-tokens";
import { isEmailVerified } from "@/lib/auth/email-verification";
import { safeRedirectPath, withReturnPath } from "@/lib/http/safe-redirect-path";

export const metadata: Metadata = { title: "Confirm your email" };

export default async function VerifyEmailPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[]; next?: string | string[] }>;
}) {
  const { token, next: asked } = await searchParams;
  const link = typeof token === "string" ? token : "";
  const next = safeRedirectPath(asked);
  const db = getDb();
  // Only looks: the token is used by the button's POST, never by fetching this page.
  const state = await inspectEmailToken(db, link, "verify_email");
  if (state.ok) {
    return (
      <>
        <h1>Confirm your email</h1>
        <p className="lead">One click to confirm that this email address is yours.</p>
        <ConfirmEmailForm token={link} next={next} action={confirmEmailAction} />
      </>
    );
  }
  const user = await currentUser();
  const verified = user ? await isEmailVerified(db, user.id) : false;
  return (
    <>
      <h1>Confirm your email</h1>
      {link ? (
        <p className="alert error" role="alert" data-testid="link-problem">
          {emailTokenProblemMessage(state.problem)}
        </p>
      ) : (
        <p className="lead">Open the link in the email we sent when you signed up.</p>
      )}
      {!user && (
        <p>
          <Link href={`/signin?next=${encodeURIComponent(withReturnPath("/verify-email", next))}`}>
            Sign in
          </Link>{" "}
          to have a new link sent to you.
        </p>
      )}
      {user && verified && (
        <p className="alert success">
          Your email address is already confirmed: there is nothing more to do.
        </p>
      )}
      {user && !verified && (
        <ResendVerificationButton
          label="Send me a new link"
          returnTo={next}
          action={resendVerificationAction}
        />
      )}
    </>
  );
}
