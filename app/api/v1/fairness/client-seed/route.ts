import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { clientSeedBody, fairnessResponse } from "@/lib/api/rounds";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { setClientSeed } from "@/lib/fairness/seeds";
import { apiRoute, readJson } from "@/lib/http/api-handler";

export const PUT = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const { clientSeed } = clientSeedBody.parse(await readJson(request));
  return respond(fairnessResponse, await setClientSeed(getDb(), player.id, clientSeed));
});
