"use client";

import { useState } from "react";

/**
 * Copies a code, hash or token. `what` names the thing for screen readers ("Copy the code") when
 * several copy buttons share a page; the result is announced, and a refused clipboard (an
 * insecure origin, a denied permission) says so instead of failing silently.
 */
export function CopyButton({
  text,
  label = "Copy",
  what,
}: {
  text: string;
  label?: string;
  what?: string;
}) {
  const [result, setResult] = useState<"copied" | "failed" | undefined>();
  return (
    <span className="copy-button">
      <button
        type="button"
        className="secondary"
        aria-label={what ? `${label} ${what}` : undefined}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setResult("copied");
          } catch {
            setResult("failed");
          }
        }}
      >
        {result === "copied" ? "Copied" : label}
      </button>
      <span role="status" className="sr-only">
        {result === "copied" && `${what ?? "Text"} copied`}
        {result === "failed" && "Copying was refused: select the text and copy it by hand."}
      </span>
    </span>
  );
}
