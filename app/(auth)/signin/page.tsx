import type { Metadata } from "next";
import Link from "next/link";
import { signInAction } from "@/app/(auth)/actions";
import { SignInForm } from "@/components/auth/sign-in-form";
import { safeRedirectPath } from "@/lib/http/safe-redirect-path";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const { next } = await searchParams;
  return (
    <>
      <h1>Sign in</h1>
      <p className="lead">
        New here? <Link href="/signup">Create an account</Link>.
      </p>
      <SignInForm next={safeRedirectPath(next)} action={signInAction} />
    </>
  );
}
