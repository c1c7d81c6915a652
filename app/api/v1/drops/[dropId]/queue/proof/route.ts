import { getDb } from "@/db/client";
import { queueProofResponse } from "@/lib/api/queue";
import { respond } from "@/lib/api/respond";
import { apiRoute } from "@/lib/http/api-handler";
import { getCachedQueueProof } from "@/lib/queue/queue";

/**
 * The public proof of a waiting room's order: enough for anyone to replay the shuffle. Public and
 * large, so it is built at most once a second per process (up to a second old).
 */
export const GET = apiRoute<{ params: Promise<{ dropId: string }> }>(async (_request, context) => {
  const { dropId } = await context.params;
  const proof = await getCachedQueueProof(getDb(), dropId);
  return respond(queueProofResponse, proof, { headers: { "cache-control": "no-store" } });
});
