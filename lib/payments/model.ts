/**
 * Buying Gold Coins: a package is paid through a payment provider, and credited once, when the
 * provider confirms the payment by a signed webhook. Safe in the browser.
 */
import { z } from "zod";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";
import { coinAmount, parseCoins } from "@/lib/wallet/model";

/**
 * pending → succeeded | failed | expired | needs_review. The processor's word that money was
 * taken wins: a success for the right amount is credited (once) even after `failed` or `expired`;
 * a success for another amount or currency goes to `needs_review` for an admin, who credits it
 * (→ succeeded) or closes it as refunded at the processor (→ refunded). docs/wallet.md.
 */
export const paymentStatuses = [
  "pending",
  "succeeded",
  "failed",
  "expired",
  "needs_review",
  "refunded",
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const paymentStatusLabels: Record<PaymentStatus, string> = {
  pending: "Waiting for the payment",
  succeeded: "Paid and credited",
  failed: "Failed: nothing was charged or credited",
  expired: "Expired: not paid in time, nothing was credited",
  needs_review: "Under review: the payment did not match the order, our team will look into it",
  refunded: "Refunded: the payment was returned to you by the processor, nothing was credited",
};

/** What an admin does with a payment under review. */
export const paymentResolutions = ["credit", "refunded"] as const;
export type PaymentResolution = (typeof paymentResolutions)[number];

/**
 * POST /api/v1/admin/payments/{id}/resolution and the admin wallet page's review forms: credit
 * the package, or close the payment as refunded at the processor; a reason either way.
 */
export const paymentResolutionSchema = z.object({
  action: z.enum(paymentResolutions, { error: 'Either "credit" or "refunded"' }),
  reason: z
    .string({ error: "Say why (kept with the payment and audited)" })
    .trim()
    .min(1, "Say why (kept with the payment and audited)")
    .max(500, "At most 500 characters")
    .refine(withoutNul, NUL_MESSAGE),
});
export type PaymentResolutionInput = z.infer<typeof paymentResolutionSchema>;

/** Packages are priced in US cents, and a processor must confirm them in that currency. */
export const PAYMENT_CURRENCY = "USD";

/** POST /api/v1/purchases, and the wallet page's buy buttons. */
export const purchaseSchema = z.object({
  packageId: z.uuid({ error: "packageId is a coin package's id" }),
});

/** What a provider's webhook tells, once its signature is checked. */
export type PaymentEvent = {
  /** The provider's id of the event (a retry sends the same one again). */
  eventId: string;
  outcome: "succeeded" | "failed";
  /** Our payment id, given to the provider as the intent's reference and idempotency key. */
  reference: string;
  providerRef: string;
  amountCents: number;
  /** ISO 4217, as the processor sends it (compared without regard to case). */
  currency: string;
  failureReason?: string;
};

/** US cents as dollars: 499 → "4.99". */
export function formatCents(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

/** The body of the local test provider's webhook (what a real processor sends differs). */
export const testProviderWebhookSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(["payment.succeeded", "payment.failed"]),
  data: z.object({
    intent: z.string().min(1).max(200),
    reference: z.uuid(),
    amountCents: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    currency: z.string().min(1).max(10),
    failureReason: z.string().max(500).optional(),
  }),
});

/** An amount of coins that may be zero ("0", "5.00"): a package's free SC. */
const coinsOrZero = z.string().transform((text, ctx) => {
  const minor = parseCoins(text.trim());
  if (minor === null) {
    ctx.addIssue({ code: "custom", message: 'An amount such as "5.00" (0 for none)' });
    return z.NEVER;
  }
  return minor;
});

/** An admin's new package: its price in dollars, GC sold and SC given with it. */
export const coinPackageSchema = z.object({
  name: z
    .string({ error: "Name the package" })
    .trim()
    .min(1, "Name the package")
    .max(60, "At most 60 characters")
    .refine(withoutNul, NUL_MESSAGE),
  price: coinAmount.refine((cents) => cents <= 1_000_000, "At most $10,000"),
  gc: coinAmount,
  bonusSc: coinsOrZero,
});
export type CoinPackageInput = z.infer<typeof coinPackageSchema>;
