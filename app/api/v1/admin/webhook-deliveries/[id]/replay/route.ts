import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { webhookReplayResponse } from "@/lib/api/webhooks";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, requestContext } from "@/lib/http/api-handler";
import { replayWebhookDelivery } from "@/lib/webhooks/endpoints";

/** Queues the delivery again, same webhook-id; the attempt shows in its list. */
export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  await replayWebhookDelivery(getDb(), (await context.params).id, {
    ...requestContext(request),
    actorId: admin.id,
    tokenId: admin.tokenId,
  });
  return respond(webhookReplayResponse, { queued: true }, { status: 202 });
});
