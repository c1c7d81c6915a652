import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { webhookSecretResponse } from "@/lib/api/webhooks";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, requestContext } from "@/lib/http/api-handler";
import { rotateWebhookSecret } from "@/lib/webhooks/endpoints";

/** A new secret for the endpoint; the previous one signs beside it for a day. */
export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const rotated = await rotateWebhookSecret(getDb(), (await context.params).id, {
    ...requestContext(request),
    actorId: admin.id,
    tokenId: admin.tokenId,
  });
  return respond(webhookSecretResponse, rotated, { status: 201 });
});
