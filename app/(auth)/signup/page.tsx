import type { Metadata } from "next";
import Link from "next/link";
import { signUpAction } from "@/app/(auth)/actions";
import { SignUpForm } from "@/components/auth/sign-up-form";

export const metadata: Metadata = { title: "Sign up" };

export default function SignUpPage() {
  return (
    <>
      <h1>Create your player account</h1>
      <p className="lead">
        Already have one? <Link href="/signin">Sign in</Link>.
      </p>
      <SignUpForm action={signUpAction} />
    </>
  );
}
