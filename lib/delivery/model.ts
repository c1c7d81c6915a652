import { z } from "zod";
import { plainText } from "@/lib/validation/storable-text";
/**
 * Delivering a prize through a reward provider (gift cards now; crypto and the code pool later):
 * the interface every provider implements, what it answers and how it fails. Safe in the browser.
 */

/** One prize to deliver. `externalId` is our redemption id: the provider's idempotency key. */
export type DeliveryOrder = {
  externalId: string;
  /** The provider's product (brand and card type), e.g. "amazon-us". */
  productId: string;
  /** Face value in minor units (US cents). */
  amountCents: number;
  currency: "USD";
  recipient: { name: string; email: string };
};

/** What the player receives: a code (with a PIN for some brands) and a page that shows it. */
export type Reward = { code: string; pin: string | null; link: string | null };

/** A provider's order as its last answer or webhook told it; `version` grows with each change. */
export type ProviderOrderState = {
  /** The provider's id of the order: what a delivery records as its reference. */
  reference: string;
  externalId: string;
  /** `cancelled`: we cancelled it (a reversed redemption); its card, if any, no longer works. */
  status: "submitted" | "delivered" | "failed" | "cancelled";
  version: number;
  reward: Reward | null;
  failureReason: string | null;
  updatedAt: string;
};

/** A webhook whose signature held: the state of one order at one version. */
export type DeliveryEvent = { eventId: string; order: ProviderOrderState };

export type SubmitOutcome =
  | { status: "delivered"; reference: string; reward: Reward }
  /** Accepted; the outcome comes later by webhook (or a lookup). */
  | { status: "submitted"; reference: string };

/**
 * What asking the provider to cancel our order came to. `cancelled`: nothing usable went out (the
 * order was cancelled, had failed, or never reached the provider: `order` is null). Otherwise the
 * card was spent before the cancellation: it cannot be taken back.
 */
export type CancelOutcome =
  | { status: "cancelled"; order: ProviderOrderState | null }
  | { status: "not_cancellable"; reason: "redeemed"; order: ProviderOrderState };

/**
 * A reward provider. `submit` resolves to a delivered or submitted order and rejects only with a
 * DeliveryError, whose `retryable` says whether submitting the same order again may help
 * (always safe: the external id makes it idempotent).
 */
export type DeliveryProvider = {
  name: string;
  submit(order: DeliveryOrder, options?: { signal?: AbortSignal }): Promise<SubmitOutcome>;
  /** The provider's order for our id (reconciliation), or null when it has none. */
  lookup(
    externalId: string,
    options?: { signal?: AbortSignal },
  ): Promise<ProviderOrderState | null>;
  /**
   * Cancels the order for our id (a reversed redemption's), idempotently; rejects only with a
   * DeliveryError, like `submit`.
   */
  cancel(externalId: string, options?: { signal?: AbortSignal }): Promise<CancelOutcome>;
  /**
   * The event of a webhook, from the exact bytes received (the signature covers them, not a
   * decoding of them); throws `invalid_signature` or `invalid_webhook`.
   */
  verifyWebhook(rawBody: Uint8Array, headers: Headers, now?: Date): DeliveryEvent;
};

/** Each failure's stable code, and whether trying the same order again may succeed. */
export const deliveryErrorRetryable = {
  /** 429: `retryAfterMs` says when, if the provider said. */
  provider_rate_limited: true,
  /** 5xx, 408, a refused or broken connection: nothing is known to have happened. */
  provider_unavailable: true,
  /** No answer in time: the order may exist; a retry finds it by its external id. */
  provider_timeout: true,
  /** A success status whose body is not an order for our id. */
  invalid_answer: true,
  /** Our caller gave up (its signal aborted), e.g. the worker is stopping. */
  aborted: true,
  /** 400/404/422: the provider will not take this order as it is (unknown product, bad amount). */
  provider_rejected: false,
  /** 401/403: the API key is wrong; an operator must fix the configuration. */
  provider_unauthorised: false,
  /** The external id was used before with another order: a bug on our side, never retried. */
  idempotency_conflict: false,
  /** The provider took the order and failed it for good (`reference` names it). */
  order_failed: false,
  invalid_signature: false,
  /** A signed webhook whose body is not an event we understand. */
  invalid_webhook: false,
} as const;
export type DeliveryErrorCode = keyof typeof deliveryErrorRetryable;

export class DeliveryError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    readonly details: { retryAfterMs?: number; reference?: string; status?: number } = {},
  ) {
    super(message);
    this.name = "DeliveryError";
    this.retryable = deliveryErrorRetryable[code];
  }
}

/**
 * Whether an event (or answer) tells something newer than the state known: webhooks come twice
 * and out of order, and an older one must never undo a newer one.
 */
export function isNewerState(
  known: Pick<ProviderOrderState, "version"> | null,
  incoming: Pick<ProviderOrderState, "version">,
): boolean {
  return incoming.version > (known?.version ?? 0);
}

/**
 * Where a delivery stands. `waiting`: the redemption is not ready (an approval, a shipping
 * address, a wallet link, a held round prize). `pending`: queued. `submitted`: the provider has
 * it. `failed`: the last attempt failed and another is due. `dead`: retries are spent, or the
 * provider refused it for good; an admin retries it or reverses the redemption. `cancelled`: the
 * redemption was reversed, expired or rejected before its prize went out.
 */
export const deliveryStatuses = [
  "waiting",
  "pending",
  "submitted",
  "delivered",
  "failed",
  "dead",
  "cancelled",
] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** A status no step of the pipeline leaves again (an admin's retry starts a dead one over). */
export const finalDeliveryStatuses: ReadonlySet<DeliveryStatus> = new Set([
  "delivered",
  "dead",
  "cancelled",
]);

/**
 * How a prize reaches its player: `pool`, a code imported beforehand, given at the claim;
 * `giftcard`, an order at the gift-card provider; `token`, an ERC-20 transfer from the treasury;
 * `shipping`, a parcel an admin packs and ships.
 */
export const deliveryProviders = ["pool", "giftcard", "token", "shipping"] as const;
export type DeliveryProviderName = (typeof deliveryProviders)[number];

/** A redemption's delivery as the player, the admin and the API see it. */
export type DeliveryView = {
  status: DeliveryStatus;
  provider: DeliveryProviderName;
  /** The provider's id of the order, the carrier's tracking number, or the pool code's id. */
  reference: string | null;
  /** Token prizes: the payout transaction. */
  txHash: string | null;
  /** A parcel on its way: its last step and carrier (the tracking number is the reference). */
  shipment: { step: "packed" | "shipped"; carrier: string | null } | null;
  updatedAt: string;
};

/** A prize's delivery: as configured, or by its kind. */
export function deliveryProviderOf(
  kind: "gift_card" | "crypto" | "physical",
  configured: DeliveryProviderName | null,
): DeliveryProviderName {
  if (configured) return configured;
  return kind === "gift_card" ? "pool" : kind === "crypto" ? "token" : "shipping";
}

/** What an admin records of a parcel, in order: packed, shipped (by whom, which tracking), delivered. */
export const shipmentSteps = ["packed", "shipped", "delivered"] as const;
export type ShipmentStep = (typeof shipmentSteps)[number];

/** An admin's next step of a parcel. */
export const shipmentStepSchema = z.discriminatedUnion(
  "step",
  [
    z.object({ step: z.literal("packed") }),
    z.object({
      step: z.literal("shipped"),
      carrier: plainText(60).pipe(z.string().min(1, "Name the carrier")),
      trackingNumber: z
        .string({ error: "Give the tracking number" })
        .trim()
        .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{2,38}[A-Za-z0-9]$/, {
          error: "A tracking number is 4 to 40 letters, digits, spaces or dashes",
        }),
    }),
    z.object({ step: z.literal("delivered") }),
  ],
  { error: "The step is packed, shipped or delivered" },
);
export type ShipmentStepInput = z.infer<typeof shipmentStepSchema>;

/**
 * What admin pages follow to know that some delivery moved: the newest change and how many wait
 * for an admin (`GET /api/v1/admin/deliveries/stream`).
 */
export type DeliveriesPulse = { lastChange: string | null; failed: number; dead: number };

/**
 * The step an admin may record next on a parcel, or null when none is due (no address yet, or
 * delivered or cancelled). The same order advanceShipment enforces, for the form to offer.
 */
export function nextShipmentStep(
  delivery: Pick<DeliveryView, "status" | "provider" | "shipment">,
): ShipmentStep | null {
  if (delivery.provider !== "shipping") return null;
  if (delivery.status === "pending") return "packed";
  if (delivery.status !== "submitted") return null;
  return delivery.shipment?.step === "shipped" ? "delivered" : "shipped";
}
