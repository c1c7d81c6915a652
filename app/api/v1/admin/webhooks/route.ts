import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { webhookEndpointsResponse, webhookSecretResponse } from "@/lib/api/webhooks";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { env } from "@/lib/config/env";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { createWebhookEndpoint, listWebhookEndpoints } from "@/lib/webhooks/endpoints";
import { webhookEndpointSchema } from "@/lib/webhooks/model";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return respond(webhookEndpointsResponse, { endpoints: await listWebhookEndpoints(getDb()) });
});

/** A new endpoint `{url, eventTypes}`; its secret is in this answer only. */
export const POST = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const input = webhookEndpointSchema.parse(await readJson(request));
  const created = await createWebhookEndpoint(
    getDb(),
    input,
    { ...requestContext(request), actorId: admin.id, tokenId: admin.tokenId },
    { allowPrivate: env().WEBHOOK_ALLOW_PRIVATE },
  );
  return respond(webhookSecretResponse, created, { status: 201 });
});
