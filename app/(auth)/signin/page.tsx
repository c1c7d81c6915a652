import type { Metadata } from "next";
import Link from "next/link";
import { signInAction } from "@/app/(auth)/actions";
import { SignInForm } from "@/components/auth/sign-in-form";
import { safeRedirectPath, withReturnPath } from "@/lib/http/safe-redirect-path";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const next = safeRedirectPath((await searchParams).next);
  return (
    <>
      <h1>Sign in</h1>
      <p className="lead">
        New here? <Link href={withReturnPath("/signup", next)}>Create an account</Link>.
      </p>
      <SignInForm next={next} action={signInAction} />
    </>
  );
}
