import { getDb } from "@/db/client";
import { limitProofRequests, publicInclusion } from "@/lib/anchoring/public-proofs";
import { inclusionQuery, inclusionResponse } from "@/lib/api/ledger";
import { respond } from "@/lib/api/respond";
import { apiRoute, requestContext } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

/** A leaf's audit path, found by its hash or index, in the tree of `size` (the published one). */
export const GET = apiRoute(async (request) => {
  await limitProofRequests(getDb(), requestContext(request).ip);
  const query = inclusionQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return respond(inclusionResponse, await publicInclusion(getDb(), query), {
    headers: { "cache-control": "no-store" },
  });
});
