"use client";
import { ErrorNotice, type RouteError } from "@/components/ui/error-notice";
import "./globals.css";

/**
 * When the root layout itself fails (it reads the signed-in account, so an unreachable database
 * lands here): this replaces the whole document, so it brings its own <html>, <body> and styles.
 */
export default function GlobalError({ error, retry }: { error: RouteError; retry: () => void }) {
  return (
    <html lang="en">
      <body>
        <title>Something went wrong · Prizeledger</title>
        <main>
          <ErrorNotice error={error} retry={retry} />
        </main>
      </body>
    </html>
  );
}
