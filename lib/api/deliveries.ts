import { z } from "zod";
import { webhookEventSchema } from "@/lib/delivery/giftcard-wire";
import { deliveryProviders, deliveryStatuses } from "@/lib/delivery/model";
import { dateTime, type Resource } from "./wire";

export const deliveryResponse = z
  .object({
    status: z.enum(deliveryStatuses).meta({
      description:
        "waiting (an approval, an address or a wallet link first), pending, submitted (the provider has it), delivered, failed (retrying), dead (an admin retries it or reverses the redemption), cancelled",
    }),
    provider: z.enum(deliveryProviders),
    reference: z.string().nullable().meta({
      description: "the provider's order id, the carrier's tracking number, or the pool code",
    }),
    txHash: z.string().nullable().meta({ description: "token prizes: the payout transaction" }),
    shipment: z
      .object({ step: z.enum(["packed", "shipped"]), carrier: z.string().nullable() })
      .nullable()
      .meta({
        description:
          "a parcel on its way: its last step and carrier (reference: its tracking number)",
      }),
    updatedAt: dateTime,
    reward: z
      .object({ code: z.string(), pin: z.string().nullable(), link: z.string().nullable() })
      .nullable()
      .meta({ description: "the card the provider issued, shown to its owner once delivered" }),
  })
  .meta({ id: "Delivery" });

export const deliveryWebhookResponse = z.object({
  received: z.literal(true),
  outcome: z.enum(["applied", "ignored"]).meta({
    description:
      "ignored: a duplicate, a state older than the one known, or an order of no redemption of ours",
  }),
});

export const deliveries: Resource = {
  name: "Delivery",
  description: "Reward providers' confirmations of the prizes they deliver.",
  paths: {
    "/api/v1/providers/giftcard/webhook": {
      post: {
        summary: "The gift-card provider's signed order event",
        description:
          "Signed with GIFTCARD_PROVIDER_WEBHOOK_SECRET (HMAC-SHA256 over the timestamp and the raw body, checked over the exact bytes received before the body is parsed). A state is applied only when its version is newer than the one known: duplicates and events out of order change nothing. 404 when no gift-card provider is configured.",
        access: "public",
        body: webhookEventSchema,
        replies: { 200: { description: "Received", json: deliveryWebhookResponse } },
        errors: {
          invalid_signature: "no, a wrong or a stale signature",
          invalid_input: "a signed body that is not an order event",
          not_found: "no gift-card provider is configured",
        },
      },
    },
  },
};
