import { getDb } from "@/db/client";
import { limitProofRequests, publicConsistency } from "@/lib/anchoring/public-proofs";
import { consistencyQuery, consistencyResponse } from "@/lib/api/ledger";
import { respond } from "@/lib/api/respond";
import { apiRoute, readableFromAnyOrigin, requestContext } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

/** That the tree of `from` leaves is a prefix of the tree of `to` (the published one by default). */
// Public proofs: another operator's /verify reads them from the auditor's browser.
export const GET = readableFromAnyOrigin(
  apiRoute(async (request) => {
    await limitProofRequests(getDb(), requestContext(request).ip);
    const { from, to } = consistencyQuery.parse(
      Object.fromEntries(new URL(request.url).searchParams),
    );
    return respond(consistencyResponse, await publicConsistency(getDb(), from, to), {
      headers: { "cache-control": "no-store" },
    });
  }),
);
