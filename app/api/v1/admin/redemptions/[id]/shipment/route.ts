import { getDb } from "@/db/client";
import { deliveryResponse } from "@/lib/api/deliveries";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { advanceShipment } from "@/lib/delivery/shipment";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

/** A parcel's next step `{ step, carrier?, trackingNumber? }`, recorded by an admin. */
export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const delivery = await advanceShipment(
    getDb(),
    { redemptionId: (await context.params).id, adminId: admin.id, step: await readJson(request) },
    { ...requestContext(request), tokenId: admin.tokenId },
  );
  return respond(deliveryResponse.omit({ reward: true }), delivery);
});
