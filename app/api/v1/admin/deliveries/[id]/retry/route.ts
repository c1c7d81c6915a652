import { getDb } from "@/db/client";
import { adminDeliveryResponse } from "@/lib/api/admin-jobs";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { retryDelivery } from "@/lib/delivery/retry-delivery";
import { apiRoute, requestContext } from "@/lib/http/api-handler";

export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const delivery = await retryDelivery(
    getDb(),
    { redemptionId: (await context.params).id, adminId: admin.id },
    { ...requestContext(request), tokenId: admin.tokenId },
  );
  return respond(adminDeliveryResponse, delivery);
});
