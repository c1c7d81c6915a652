import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { responsibleGamingResponse } from "@/lib/api/responsible-gaming";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { rgSettingsSchema } from "@/lib/rg/model";
import { changeResponsibleGaming, getResponsibleGaming } from "@/lib/rg/settings";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return respond(
    responsibleGamingResponse,
    await getResponsibleGaming(getDb(), player.id, new Date()),
  );
});

export const PUT = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const input = rgSettingsSchema.parse(await readJson(request));
  const view = await changeResponsibleGaming(
    getDb(),
    input,
    { ...requestContext(request), userId: player.id, tokenId: player.tokenId },
    new Date(),
  );
  return respond(responsibleGamingResponse, view);
});
