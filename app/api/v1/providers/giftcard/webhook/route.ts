import { getDb } from "@/db/client";
import { deliveryWebhookResponse } from "@/lib/api/deliveries";
import { respond } from "@/lib/api/respond";
import { receiveGiftCardWebhook } from "@/lib/delivery/receive-webhook";
import { apiRoute, MAX_JSON_BYTES, readBodyBytes } from "@/lib/http/api-handler";

/**
 * The gift-card provider's signed order events. The signature is checked over the exact bytes
 * received; a duplicate or an event older than what is known is answered 200 and changes
 * nothing, so the provider stops sending it.
 */
export const POST = apiRoute(async (request) => {
  const body = await readBodyBytes(request, MAX_JSON_BYTES);
  const outcome = await receiveGiftCardWebhook(getDb(), body, request.headers);
  return respond(deliveryWebhookResponse, { received: true, outcome });
});
