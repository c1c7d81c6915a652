"use client";

import { type LotteryTranscript, replayTranscript } from "@/lib/lottery/draw";
import { ProofReplay } from "./proof-replay";

/**
 * Replays a drawn lottery in this browser: it fetches the public transcript and recomputes the
 * ranking with the same code the server runs (lib/lottery/draw.ts).
 */
export function LotteryReplay({ dropId }: { dropId: string }) {
  return (
    <ProofReplay
      url={`/api/v1/drops/${dropId}/lottery`}
      replay={(t) => replayTranscript(t as LotteryTranscript)}
      button="Replay the draw in your browser"
      matches="The replay matches: these winners follow from the committed seed and the published entries."
      mismatch="The replay does NOT match the published winners."
      testId="lottery-replay"
    >
      {(result) =>
        result.ranking.length > 0 && (
          <details>
            <summary>The full ranking ({result.ranking.length})</summary>
            <ol className="mono small">
              {result.ranking.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ol>
          </details>
        )
      }
    </ProofReplay>
  );
}
