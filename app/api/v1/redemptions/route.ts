import { getDb } from "@/db/client";
import { redemptionsResponse } from "@/lib/api/redemptions";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { listPlayerRedemptions } from "@/lib/redemptions/redemptions";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return respond(redemptionsResponse, {
    redemptions: await listPlayerRedemptions(getDb(), player.id),
  });
});
