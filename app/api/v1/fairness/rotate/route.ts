import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { rotationResponse } from "@/lib/api/rounds";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { rotateSeed } from "@/lib/fairness/seeds";
import { apiRoute } from "@/lib/http/api-handler";

export const POST = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return respond(rotationResponse, await rotateSeed(getDb(), player.id), {
    headers: { "cache-control": "no-store" },
  });
});
