import type { Metadata } from "next";
import Link from "next/link";
import { safeRedirectPath } from "@/lib/http/safe-redirect-path";

export const metadata: Metadata = { title: "Email confirmed" };

/** Offers the way back to where the player was when they signed up or asked for the link. */
export default async function EmailConfirmedPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const next = safeRedirectPath((await searchParams).next);
  return (
    <>
      <h1>Email confirmed</h1>
      <p className="alert success" role="status">
        Thank you: your email address is confirmed.
      </p>
      <p>
        {next === "/" ? (
          <Link href="/">See the drops</Link>
        ) : (
          <Link href={next} className="button" data-testid="return-link">
            Go back to where you were
          </Link>
        )}
      </p>
    </>
  );
}
