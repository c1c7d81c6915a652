import type { Metadata } from "next";
import Link from "next/link";
import { resetPasswordAction } from "@/app/(auth)/actions";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";
import { getDb } from "@/db/client";
import { emailTokenProblemMessage, inspectEmailToken } from "@/lib/auth/email-tokens";

export const metadata: Metadata = { title: "Choose a new password" };

export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[] }>;
}) {
  const { token } = await searchParams;
  const link = typeof token === "string" ? token : "";
  const state = await inspectEmailToken(getDb(), link, "reset_password");
  return (
    <>
      <h1>Choose a new password</h1>
      {state.ok ? (
        <>
          <p className="lead">Setting a new password signs your account out everywhere.</p>
          <ResetPasswordForm token={link} action={resetPasswordAction} />
        </>
      ) : (
        <>
          <p className="alert error" role="alert" data-testid="link-problem">
            {emailTokenProblemMessage(state.problem)}
          </p>
          <p>
            <Link href="/forgot-password">Ask for a new reset link</Link>
          </p>
        </>
      )}
    </>
  );
}
