import { getDb } from "@/db/client";
import { identityResponse } from "@/lib/api/catalog";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { declareIdentity, getIdentity } from "@/lib/catalog/identity";
import { identitySchema } from "@/lib/catalog/model";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return respond(identityResponse, await getIdentity(getDb(), player.id));
});

export const PUT = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const input = identitySchema.parse(await readJson(request));
  const identity = await declareIdentity(
    getDb(),
    input,
    { ...requestContext(request), userId: player.id, tokenId: player.tokenId },
    new Date(),
  );
  return respond(identityResponse, identity);
});
