/**
 * The gift-card provider's HTTP API, shaped like Tremendous and Tango Card: one zod source for the
 * local provider service (giftcard-provider-server.ts) and the client (giftcard-provider.ts).
 * Amounts are decimal strings with two places ("25.00"), never floats. docs/delivery.md.
 */
import { z } from "zod";

export const GIFTCARD_SIGNATURE_HEADER = "giftcard-signature";

/** Our id of the order (a redemption id): letters, digits and `._:-`. */
export const externalIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,100}$/, "external_id: 1 to 100 of A-Z a-z 0-9 . _ : -");

const denomination = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,8})\.[0-9]{2}$/, 'denomination: a string such as "25.00"');

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // Control characters have no place in a name, and would forge lines in logs and mail.
    .regex(/^[^\p{Cc}]*$/u, "no control characters");

export const orderRequestSchema = z.strictObject({
  external_id: externalIdSchema,
  product_id: z.string().regex(/^[a-z0-9-]{1,64}$/, "product_id: a product of GET /products"),
  value: z.strictObject({ denomination, currency_code: z.string().regex(/^[A-Z]{3}$/) }),
  recipient: z.strictObject({ name: text(200), email: z.email().max(254) }),
});
export type OrderRequest = z.infer<typeof orderRequestSchema>;

/**
 * CANCELLED: we cancelled the order (a reversed redemption) before its card was redeemed; a
 * pending order never completes, an executed one's card no longer works.
 */
export const orderStatuses = ["PENDING", "EXECUTED", "FAILED", "CANCELLED"] as const;

const rewardSchema = z.object({
  id: z.string().min(1).max(100),
  code: z.string().min(1).max(200),
  pin: z.string().min(1).max(50).nullable(),
  link: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable(),
});

export const orderSchema = z.object({
  id: z.string().min(1).max(100),
  external_id: externalIdSchema,
  status: z.enum(orderStatuses),
  /** 1 at creation, +1 with each change of status: what orders the webhooks. */
  version: z.number().int().positive().max(1_000),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  product_id: z.string().max(64),
  value: z.object({ denomination, currency_code: z.string().max(3) }),
  recipient: z.object({ name: z.string().max(200), email: z.string().max(254) }),
  reward: rewardSchema.nullable(),
  failure_reason: z.string().max(500).nullable(),
  /** When the card was spent at the brand's shop: from then on it cannot be cancelled. */
  redeemed_at: z.iso.datetime().nullable().default(null),
});
export type Order = z.infer<typeof orderSchema>;

export const orderAnswerSchema = z.object({ order: orderSchema });
export const orderListSchema = z.object({ orders: z.array(orderSchema).max(500) });

export const errorAnswerSchema = z.object({
  error: z.object({ code: z.string().max(100), message: z.string().max(1000) }),
});

export const webhookEventTypes = [
  "ORDERS.CREATED",
  "ORDERS.EXECUTED",
  "ORDERS.FAILED",
  "ORDERS.CANCELLED",
] as const;

/** The body of a webhook: the order at the version the event announces. */
export const webhookEventSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(webhookEventTypes),
  created_at: z.iso.datetime(),
  data: z.object({ order: orderSchema }),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

const share = z.number().min(0).max(1);
const ms = (max: number) => z.number().int().min(0).max(max);

/**
 * The fault knobs, at start (GIFTCARD_FAULTS, JSON) and at run time (PATCH /admin/faults). A
 * share is the part of requests (or orders, or webhooks) it applies to, drawn from a generator
 * seeded by `seed`: 0 never, 1 always, so tests depend on no chance.
 */
export const faultsSchema = z.strictObject({
  seed: z.string().min(1).max(200),
  /** Added to every API answer: fixed, plus a uniform draw in [0, jitterMs]. */
  latencyMs: ms(60_000),
  jitterMs: ms(60_000),
  /** 429 with Retry-After: retryAfterSeconds; nothing is done. */
  share429: share,
  retryAfterSeconds: z.number().int().min(0).max(86_400),
  /** 503; nothing is done. */
  share5xx: share,
  /** The order is created, then the answer is held for hangMs (past the client's timeout). */
  shareTimeout: share,
  hangMs: ms(600_000),
  /** Orders answered 202 PENDING and executed (or failed) asyncDelayMs later, by webhook. */
  shareAsync: share,
  asyncDelayMs: ms(600_000),
  /** Orders that fail for good (FAILED, reason "declined"). */
  shareFailed: share,
  /** Webhooks sent twice. */
  shareDuplicateWebhooks: share,
  /** Asynchronous orders whose ORDERS.CREATED webhook is held back until after the outcome's. */
  shareOutOfOrderWebhooks: share,
});
export type Faults = z.infer<typeof faultsSchema>;

export const defaultFaults: Omit<Faults, "seed"> = {
  latencyMs: 0,
  jitterMs: 0,
  share429: 0,
  retryAfterSeconds: 1,
  share5xx: 0,
  shareTimeout: 0,
  hangMs: 30_000,
  shareAsync: 0,
  asyncDelayMs: 200,
  shareFailed: 0,
  shareDuplicateWebhooks: 0,
  shareOutOfOrderWebhooks: 0,
};

export const faultsPatchSchema = faultsSchema.partial();
