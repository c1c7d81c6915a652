import { getDb } from "@/db/client";
import { listLeaves } from "@/lib/anchoring/public-log";
import { leavesQuery, leavesResponse } from "@/lib/api/ledger";
import { respond } from "@/lib/api/respond";
import { apiRoute } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const { start, end } = leavesQuery.parse(params);
  return respond(leavesResponse, await listLeaves(getDb(), start, end ?? start + 1000));
});
