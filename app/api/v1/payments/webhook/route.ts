import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { webhookResponse } from "@/lib/api/wallet";
import { apiRoute, MAX_JSON_BYTES, readBodyBytes } from "@/lib/http/api-handler";
import { paymentProvider } from "@/lib/payments/provider";
import { completePayment } from "@/lib/payments/purchases";

/**
 * The payment provider's signed confirmation. The signature is checked over the exact bytes
 * received (not decoded first), before anything is parsed; a duplicate is answered 200 and
 * changes nothing, so the provider stops retrying it.
 */
export const POST = apiRoute(async (request) => {
  const provider = paymentProvider();
  const body = await readBodyBytes(request, MAX_JSON_BYTES);
  const event = provider.parseWebhook(body, request.headers);
  const outcome = await completePayment(getDb(), provider, event);
  return respond(webhookResponse, { received: true, outcome });
});
