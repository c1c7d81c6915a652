import type { Metadata } from "next";
import Link from "next/link";
import { forgotPasswordAction } from "@/app/(auth)/actions";
import { ForgotPasswordForm } from "@/components/auth/forgot-password-form";
import { mailboxAccess } from "@/lib/mail/mail-capture";

export const metadata: Metadata = { title: "Forgot your password?" };

export default function ForgotPasswordPage() {
  return (
    <>
      <h1>Forgot your password?</h1>
      <p className="lead">
        Enter the email of your account and we will send you a link to choose a new password.{" "}
        <Link href="/signin">Back to sign in</Link>.
      </p>
      <ForgotPasswordForm action={forgotPasswordAction} />
      {mailboxAccess() === "public" && (
        <p className="muted small">
          This site sends no email: messages are kept in the{" "}
          <Link href="/dev/mailbox">development mailbox</Link>.
        </p>
      )}
    </>
  );
}
