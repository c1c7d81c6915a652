import { getDb } from "@/db/client";
import { excludedRegionsSchema } from "@/lib/abuse/model";
import { listExcludedRegions, setExcludedRegions } from "@/lib/abuse/regions";
import { excludedRegionsResponse } from "@/lib/api/regions";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

/** The regions where no one may claim. */
export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return respond(excludedRegionsResponse, { regions: await listExcludedRegions(getDb()) });
});

/** Replaces the list of excluded regions; answers the new list. */
export const PUT = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { regions } = excludedRegionsSchema.parse(await readJson(request));
  const list = await setExcludedRegions(getDb(), regions, {
    ...requestContext(request),
    actorId: admin.id,
    tokenId: admin.tokenId,
  });
  return respond(excludedRegionsResponse, { regions: list });
});
