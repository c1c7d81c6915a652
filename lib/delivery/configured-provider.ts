import "server-only";
import { env } from "@/lib/config/env";
import { giftCardProvider } from "./giftcard-provider";
import type { DeliveryProvider } from "./model";

let cached: DeliveryProvider | null | undefined;

/**
 * The gift-card provider the environment names (GIFTCARD_PROVIDER_URL with its key and webhook
 * secret), or null when it names none: gift-card deliveries then wait, failing and retrying.
 */
export function configuredGiftCardProvider(): DeliveryProvider | null {
  if (cached !== undefined) return cached;
  const e = env();
  cached =
    e.GIFTCARD_PROVIDER_URL && e.GIFTCARD_PROVIDER_API_KEY && e.GIFTCARD_PROVIDER_WEBHOOK_SECRET
      ? giftCardProvider({
          baseUrl: e.GIFTCARD_PROVIDER_URL,
          apiKey: e.GIFTCARD_PROVIDER_API_KEY,
          webhookSecret: e.GIFTCARD_PROVIDER_WEBHOOK_SECRET,
        })
      : null;
  return cached;
}
