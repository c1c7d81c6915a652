import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { webhookDeliveriesResponse } from "@/lib/api/webhooks";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { findWebhookEndpoint, listWebhookDeliveries } from "@/lib/webhooks/endpoints";

export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  if (!(await findWebhookEndpoint(getDb(), id))) {
    throw new AppError("not_found", "No such webhook endpoint");
  }
  return respond(webhookDeliveriesResponse, {
    deliveries: await listWebhookDeliveries(getDb(), id),
  });
});
