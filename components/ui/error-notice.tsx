"use client";
import Link from "next/link";

export type RouteError = Error & { digest?: string };

/**
 * What a page shows in place of content it failed to load. The error's message is never shown:
 * for a server error it could name the database or the query (and in production Next.js hides it
 * anyway); the digest is what the server's log files the details under.
 */
export function ErrorNotice({ error, retry }: { error: RouteError; retry: () => void }) {
  return (
    <section role="alert" aria-labelledby="error-title" className="card error-notice">
      <h1 id="error-title">Something went wrong</h1>
      <p className="lead">
        This page could not be loaded because of a problem on our side, not because of anything you
        did. Trying again in a moment often works.
      </p>
      {error.digest && (
        <p className="small">
          If it keeps happening, quote this reference when you contact us:{" "}
          <code data-testid="error-reference">{error.digest}</code>
        </p>
      )}
      <div className="row">
        <button type="button" onClick={retry}>
          Try again
        </button>
        <Link href="/" className="button secondary">
          Back to the drops
        </Link>
      </div>
    </section>
  );
}
