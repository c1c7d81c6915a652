import { getDb } from "@/db/client";
import { pushStateResponse } from "@/lib/api/push";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { getPushState } from "@/lib/push/subscriptions";
import { pushOptions } from "@/lib/push/vapid";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return respond(pushStateResponse, await getPushState(getDb(), player.id, pushOptions()));
});
