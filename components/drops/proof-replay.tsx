"use client";

import { type ReactNode, useState } from "react";

/** What a replay of a published proof finds: each check in words, and whether all hold. */
export type ReplayOutcome = {
  ok: boolean;
  checks: Array<{ label: string; ok: boolean; detail: string }>;
};

/**
 * A button that fetches a public proof (a lottery's transcript, a waiting room's order) and
 * replays it in this browser with the same code the server ran, then lists the checks and says
 * whether they all hold. `children` shows more of the result.
 */
export function ProofReplay<R extends ReplayOutcome>({
  url,
  replay,
  button,
  matches,
  mismatch,
  testId,
  children,
}: {
  url: string;
  replay: (proof: unknown) => R;
  button: string;
  /** Said when every check holds. */
  matches: string;
  /** Said when one does not. */
  mismatch: string;
  /** The card's test id; the verdict's is `${testId}-result`. */
  testId: string;
  children?: (result: R) => ReactNode;
}) {
  const [result, setResult] = useState<R | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);

  const run = async () => {
    setRunning(true);
    setResult(null);
    setError(null);
    try {
      const res = await fetch(url, { cache: "no-store" });
      if (!res.ok) throw new Error(`the server answered HTTP ${res.status}`);
      setResult(replay(await res.json()));
    } catch (e) {
      setError(`Could not replay: ${(e as Error).message}`);
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="card" data-testid={testId}>
      <button type="button" onClick={run} disabled={running}>
        {running ? "Replaying…" : button}
      </button>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <>
          <ul style={{ paddingLeft: 20 }}>
            {result.checks.map((c) => (
              <li key={c.label}>
                {c.ok ? "✓" : "✗"} <strong>{c.label}</strong>:{" "}
                <span className="mono small" style={{ wordBreak: "break-all" }}>
                  {c.detail}
                </span>
              </li>
            ))}
          </ul>
          <p
            className={`alert ${result.ok ? "success" : "error"}`}
            data-testid={`${testId}-result`}
            data-ok={String(result.ok)}
            role="status"
          >
            {result.ok ? matches : mismatch}
          </p>
          {children?.(result)}
        </>
      )}
    </div>
  );
}
