import { getDb } from "@/db/client";
import { queueProofPageResponse, queueProofResponse } from "@/lib/api/queue";
import { respond } from "@/lib/api/respond";
import { apiRoute } from "@/lib/http/api-handler";
import { pageQueueProof, proofPageQuery } from "@/lib/queue/model";
import { getCachedQueueProof } from "@/lib/queue/queue";

const headers = { "cache-control": "no-store" };

/**
 * The public proof of a waiting room's order: enough for anyone to replay the shuffle. Public and
 * large, so it is built at most once a second per process (up to a second old); `after` and
 * `limit` cut a page from that built proof, so paging through it builds it no more often.
 */
export const GET = apiRoute<{ params: Promise<{ dropId: string }> }>(async (request, context) => {
  const query = proofPageQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { dropId } = await context.params;
  const proof = await getCachedQueueProof(getDb(), dropId);
  if (query.after === undefined && query.limit === undefined) {
    return respond(queueProofResponse, proof, { headers });
  }
  return respond(queueProofPageResponse, pageQueueProof(proof, query), { headers });
});
