import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { webhookEndpointResponse } from "@/lib/api/webhooks";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { setWebhookEndpointEnabled } from "@/lib/webhooks/endpoints";
import { webhookEndpointChangeSchema } from "@/lib/webhooks/model";

/** Enables or disables an endpoint `{enabled}`. */
export const PATCH = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { enabled } = webhookEndpointChangeSchema.parse(await readJson(request));
  const endpoint = await setWebhookEndpointEnabled(getDb(), (await context.params).id, enabled, {
    ...requestContext(request),
    actorId: admin.id,
    tokenId: admin.tokenId,
  });
  return respond(webhookEndpointResponse, endpoint);
});
