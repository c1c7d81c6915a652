import { getDb } from "@/db/client";
import { getDashboard } from "@/lib/analytics/dashboard";
import { dashboardResponse } from "@/lib/api/analytics";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";

/** The live dashboard's figures now; `/stream` pushes the same snapshot as it changes. */
export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin", "auditor");
  return respond(dashboardResponse, await getDashboard(getDb()), {
    headers: { "cache-control": "no-store" },
  });
});
