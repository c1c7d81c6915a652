import { getDb } from "@/db/client";
import { limitProofRequests, publicInclusion } from "@/lib/anchoring/public-proofs";
import { inclusionQuery, inclusionResponse } from "@/lib/api/ledger";
import { respond } from "@/lib/api/respond";
import { apiRoute, readableFromAnyOrigin, requestContext } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

/** A leaf's audit path, found by its hash or index, in the tree of `size` (the published one). */
// Public proofs: another operator's /verify reads them from the auditor's browser.
export const GET = readableFromAnyOrigin(
  apiRoute(async (request) => {
    await limitProofRequests(getDb(), requestContext(request).ip);
    const query = inclusionQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
    return respond(inclusionResponse, await publicInclusion(getDb(), query), {
      headers: { "cache-control": "no-store" },
    });
  }),
);
