import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Email confirmed" };

export default function EmailConfirmedPage() {
  return (
    <>
      <h1>Email confirmed</h1>
      <p className="alert success" role="status">
        Thank you: your email address is confirmed.
      </p>
      <p>
        <Link href="/">See the drops</Link>
      </p>
    </>
  );
}
