import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Password changed" };

export default function PasswordChangedPage() {
  return (
    <>
      <h1>Password changed</h1>
      <p className="alert success" role="status">
        Your new password is set, and every session of your account has been signed out.
      </p>
      <p>
        <Link href="/signin">Sign in with your new password</Link>
      </p>
    </>
  );
}
