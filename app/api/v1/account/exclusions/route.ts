import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { responsibleGamingResponse } from "@/lib/api/responsible-gaming";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { exclusionSchema } from "@/lib/rg/model";
import { startExclusion } from "@/lib/rg/settings";

export const POST = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const input = exclusionSchema.parse(await readJson(request));
  const view = await startExclusion(
    getDb(),
    input,
    { ...requestContext(request), userId: player.id, tokenId: player.tokenId },
    new Date(),
  );
  return respond(responsibleGamingResponse, view, { status: 201 });
});
