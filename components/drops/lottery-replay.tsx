"use client";

import { useState } from "react";
import { type LotteryTranscript, type ReplayResult, replayTranscript } from "@/lib/lottery/draw";

/**
 * Replays a drawn lottery in this browser: it fetches the public transcript and recomputes the
 * ranking with the same code the server runs (lib/lottery/draw.ts).
 */
export function LotteryReplay({ dropId }: { dropId: string }) {
  const [result, setResult] = useState<ReplayResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);

  const replay = async () => {
    setRunning(true);
    setResult(null);
    setError(null);
    try {
      const res = await fetch(`/api/v1/drops/${dropId}/lottery`, { cache: "no-store" });
      if (!res.ok) throw new Error(`the transcript answered HTTP ${res.status}`);
      setResult(replayTranscript((await res.json()) as LotteryTranscript));
    } catch (e) {
      setError(`Could not replay: ${(e as Error).message}`);
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="card" data-testid="lottery-replay">
      <button type="button" onClick={replay} disabled={running}>
        {running ? "Replaying…" : "Replay the draw in your browser"}
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
            data-testid="lottery-replay-result"
            data-ok={String(result.ok)}
          >
            {result.ok
              ? "The replay matches: these winners follow from the committed seed and the published entries."
              : "The replay does NOT match the published winners."}
          </p>
          {result.ranking.length > 0 && (
            <details>
              <summary>The full ranking ({result.ranking.length})</summary>
              <ol className="mono small">
                {result.ranking.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ol>
            </details>
          )}
        </>
      )}
    </div>
  );
}
