import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { fairnessResponse } from "@/lib/api/rounds";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { getFairness } from "@/lib/fairness/seeds";
import { apiRoute } from "@/lib/http/api-handler";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return respond(fairnessResponse, await getFairness(getDb(), player.id), {
    headers: { "cache-control": "no-store" },
  });
});
