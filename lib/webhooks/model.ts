import { z } from "zod";

/** What an operator may subscribe an endpoint to. */
export const webhookEventTypes = [
  "redemption.created",
  "delivery.succeeded",
  "delivery.failed",
  "drop.sold_out",
  "round.won_prize",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export const webhookEventLabels: Record<WebhookEventType, string> = {
  "redemption.created": "A redemption was created (a claim, a catalog redemption, a round's prize)",
  "delivery.succeeded": "A prize reached its player",
  "delivery.failed": "A delivery failed for good and waits for an admin",
  "drop.sold_out": "A drop's last unit was claimed",
  "round.won_prize": "A game round won a prize",
};

/**
 * `pending` (not tried yet), `failed` (tried, the queue retries it), `delivered` (a 2xx), `dead`
 * (retries spent, or the endpoint was disabled): an admin may replay any of them.
 */
export const webhookDeliveryStates = ["pending", "failed", "delivered", "dead"] as const;
export type WebhookDeliveryState = (typeof webhookDeliveryStates)[number];

/** One POST to an endpoint: its answer's status (none when no answer came) or why it failed. */
export type WebhookAttempt = {
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** Sent at an admin's request rather than by the queue's schedule. */
  replay: boolean;
};

export type WebhookEndpointView = {
  id: string;
  url: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  createdBy: string | null;
  createdAt: string;
  /** Until when the secret before the last rotation still signs (both signatures are sent). */
  previousSecretUntil: string | null;
};

export type WebhookDeliveryView = {
  id: string;
  endpointId: string;
  eventId: string;
  type: WebhookEventType;
  payload: unknown;
  state: WebhookDeliveryState;
  createdAt: string;
  attempts: WebhookAttempt[];
};

export const MAX_WEBHOOK_URL_LENGTH = 2000;

export const webhookEndpointSchema = z.object({
  url: z
    .string({ error: "Enter the endpoint's URL" })
    .trim()
    .min(1, "Enter the endpoint's URL")
    .max(MAX_WEBHOOK_URL_LENGTH, `At most ${MAX_WEBHOOK_URL_LENGTH} characters`)
    .meta({ examples: ["https://operator.example/hooks/prizeledger"] }),
  eventTypes: z
    .array(z.enum(webhookEventTypes, { error: "Unknown event type" }))
    .min(1, "Choose at least one event")
    .max(webhookEventTypes.length)
    .transform((types) => [...new Set(types)]),
});
export type WebhookEndpointInput = z.infer<typeof webhookEndpointSchema>;

export const webhookEndpointChangeSchema = z.object({ enabled: z.boolean() });
