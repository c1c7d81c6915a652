import { getDb } from "@/db/client";
import { troubledDeliveriesResponse } from "@/lib/api/admin-jobs";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { listTroubledDeliveries } from "@/lib/delivery/admin-deliveries";
import { apiRoute } from "@/lib/http/api-handler";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return respond(troubledDeliveriesResponse, {
    deliveries: await listTroubledDeliveries(getDb()),
  });
});
