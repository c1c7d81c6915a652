import { z } from "zod";
import { deliveryProviders, deliveryStatuses } from "@/lib/delivery/model";
import { dateTime } from "./wire";

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
