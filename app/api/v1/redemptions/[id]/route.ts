import { getDb } from "@/db/client";
import { redemptionResponse } from "@/lib/api/redemptions";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { getPlayerRedemption } from "@/lib/redemptions/redemptions";

export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const redemption = await getPlayerRedemption(getDb(), player.id, (await context.params).id);
  if (!redemption) throw new AppError("not_found", "No such redemption");
  return respond(redemptionResponse, redemption);
});
