import type { Metadata } from "next";
import Link from "next/link";
import { signUpAction } from "@/app/(auth)/actions";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { safeRedirectPath, withReturnPath } from "@/lib/http/safe-redirect-path";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const next = safeRedirectPath((await searchParams).next);
  return (
    <>
      <h1>Create your player account</h1>
      <p className="lead">
        Already have one? <Link href={withReturnPath("/signin", next)}>Sign in</Link>.
      </p>
      <SignUpForm next={next} action={signUpAction} />
    </>
  );
}
