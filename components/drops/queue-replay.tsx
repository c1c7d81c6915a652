"use client";

import type { QueueProof } from "@/lib/queue/model";
import { replayQueueProof } from "@/lib/queue/shuffle";
import { ProofReplay } from "./proof-replay";

/**
 * Replays a drawn waiting room in this browser: it fetches the public proof and draws the order
 * again with the same code the server ran (lib/queue/shuffle.ts).
 */
export function QueueReplay({ dropId }: { dropId: string }) {
  return (
    <ProofReplay
      url={`/api/v1/drops/${dropId}/queue/proof`}
      replay={(proof) => replayQueueProof(proof as QueueProof)}
      button="Replay the order in your browser"
      matches="The replay matches: this order follows from the committed seed and the published entries."
      mismatch="The replay does NOT match the published order."
      testId="queue-replay"
    />
  );
}
