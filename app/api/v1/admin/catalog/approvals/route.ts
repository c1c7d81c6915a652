import { getDb } from "@/db/client";
import { pendingApprovalsResponse } from "@/lib/api/catalog";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { listPendingApprovals } from "@/lib/catalog/review-redemption";
import { apiRoute } from "@/lib/http/api-handler";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return respond(pendingApprovalsResponse, {
    redemptions: await listPendingApprovals(getDb()),
  });
});
