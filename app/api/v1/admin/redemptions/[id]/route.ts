import { getDb } from "@/db/client";
import { adminRedemptionDetailResponse } from "@/lib/api/admin-redemptions";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { getAdminRedemption } from "@/lib/redemptions/search-redemptions";

export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  requireRole(await apiCaller(request), "admin");
  const redemption = await getAdminRedemption(getDb(), (await context.params).id);
  if (!redemption) throw new AppError("not_found", "No such redemption");
  return respond(adminRedemptionDetailResponse, redemption);
});
