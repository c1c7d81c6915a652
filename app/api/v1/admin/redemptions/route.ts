import { getDb } from "@/db/client";
import { adminRedemptionsPageResponse } from "@/lib/api/admin-redemptions";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { redemptionSearchSchema } from "@/lib/redemptions/model";
import { searchRedemptions } from "@/lib/redemptions/search-redemptions";

/** Redemptions by player (id or email), drop, prize, status and time, newest first; `after` pages. */
export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return respond(
    adminRedemptionsPageResponse,
    await searchRedemptions(getDb(), redemptionSearchSchema.parse(query)),
  );
});
