import "server-only";
import type { Db } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import { log } from "@/lib/log";
import { configuredGiftCardProvider } from "./configured-provider";
import { applyProviderState } from "./deliver-job";
import { DeliveryError, type DeliveryProvider } from "./model";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A provider's webhook: verified over its raw bytes, then applied like a lookup's answer.
 * `applied` when it moved a delivery; `ignored` for a duplicate, an older state, or an order of
 * no redemption of ours (answered 200 all the same: sending it again would change nothing).
 */
export async function receiveGiftCardWebhook(
  db: Db,
  body: Uint8Array,
  headers: Headers,
  provider: DeliveryProvider | null = configuredGiftCardProvider(),
): Promise<"applied" | "ignored"> {
  if (!provider) throw new AppError("not_found", "No gift-card provider is configured");
  let event: ReturnType<DeliveryProvider["verifyWebhook"]>;
  try {
    event = provider.verifyWebhook(body, headers);
  } catch (error) {
    if (error instanceof DeliveryError && error.code === "invalid_signature") {
      throw new AppError("invalid_signature", error.message);
    }
    if (error instanceof DeliveryError) throw new AppError("invalid_input", error.message);
    throw error;
  }
  const { order } = event;
  if (!UUID.test(order.externalId)) {
    log().warning("giftcard_webhook_unknown_order", { externalId: order.externalId.slice(0, 80) });
    return "ignored";
  }
  return (await applyProviderState(db, order.externalId, order)) ? "applied" : "ignored";
}
