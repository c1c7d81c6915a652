/** Prizes as the browser may see them: no server imports, so client components may use them. */
import { z } from "zod";
import { GIFTCARD_PRODUCTS, giftCardProductIds } from "@/lib/delivery/giftcard-products";
import type { DeliveryProviderName } from "@/lib/delivery/model";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";

export const prizeKinds = ["gift_card", "crypto", "physical"] as const;
export type PrizeKind = (typeof prizeKinds)[number];

export const prizeKindLabels: Record<PrizeKind, string> = {
  gift_card: "Gift card",
  crypto: "Crypto token",
  physical: "Physical item",
};

const nameSchema = z
  .string()
  .trim()
  .min(1, "Name is required")
  .max(120, "Name is too long")
  .refine(withoutNul, NUL_MESSAGE);
const descriptionSchema = z
  .string()
  .trim()
  .max(2000, "Description is at most 2,000 characters")
  .refine(withoutNul, NUL_MESSAGE)
  .nullable();
const valueSchema = z.coerce
  .number({ error: "Value must be a number" })
  .min(0, "Value cannot be negative")
  .max(1_000_000, "Value is at most 1,000,000")
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, "At most two decimals");
const quantitySchema = z.coerce
  .number({ error: "Quantity must be a number" })
  .int("Quantity must be a whole number")
  .max(10_000_000, "At most 10,000,000");
/** Decimal text, so 18 decimals survive (a float would round them); numeric(38,18) holds it. */
const tokenAmountSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine(
    (v) => /^\d{1,20}(\.\d{1,18})?$/.test(v),
    "Token amount is a number with at most 18 decimals",
  )
  .refine((v) => Number(v) > 0, "Token amount must be more than zero")
  .nullable();
const tokenSymbolSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{2,12}$/, "Token symbol is 2 to 12 letters or digits, like USDC")
  .nullable();

type TokenFields = { kind?: string; tokenAmount?: string | null; tokenSymbol?: string | null };

/** Token amount and symbol come together, and only on a crypto prize. */
function checkTokenFields(d: TokenFields, ctx: z.RefinementCtx, kind: string | undefined) {
  const given = [d.tokenAmount, d.tokenSymbol].filter((v) => v != null).length;
  if (given === 0) return;
  if (kind !== undefined && kind !== "crypto") {
    ctx.addIssue({
      code: "custom",
      path: ["tokenAmount"],
      message: "Only crypto prizes have a token amount",
    });
  } else if (given === 1) {
    const missing = d.tokenAmount == null ? "tokenAmount" : "tokenSymbol";
    ctx.addIssue({
      code: "custom",
      path: [missing],
      message: "Give both the token amount and its symbol",
    });
  }
}

/** How a gift card reaches its winner: a code imported beforehand, or an order at the provider. */
export const giftCardDeliveries = ["pool", "giftcard"] as const;
export type GiftCardDelivery = (typeof giftCardDeliveries)[number];
export const giftCardDeliveryLabels: Record<GiftCardDelivery, string> = {
  pool: "Imported codes (pool)",
  giftcard: "Gift-card provider",
};
const deliverySchema = z.enum(giftCardDeliveries, {
  error: "Choose how the gift card is delivered: imported codes or the gift-card provider",
});
const providerProductSchema = z
  .enum(giftCardProductIds, { error: "Choose one of the provider's products" })
  .nullable();

type DeliveryFields = { delivery?: GiftCardDelivery; providerProduct?: string | null };

/** A gift card from the provider names its product; nothing else has one. */
function checkDeliveryFields(d: DeliveryFields, ctx: z.RefinementCtx, kind: string | undefined) {
  if (kind !== undefined && kind !== "gift_card" && (d.delivery || d.providerProduct)) {
    ctx.addIssue({
      code: "custom",
      path: ["delivery"],
      message: "Only gift cards choose how they are delivered",
    });
  } else if (d.delivery === "giftcard" && !d.providerProduct) {
    ctx.addIssue({
      code: "custom",
      path: ["providerProduct"],
      message: "Choose the product the provider sends",
    });
  } else if (d.delivery === "pool" && d.providerProduct) {
    ctx.addIssue({
      code: "custom",
      path: ["providerProduct"],
      message: "Only a gift card from the provider has a product",
    });
  }
}

/**
 * Why a provider product cannot carry a face value (null when it can): the provider refuses an
 * order outside the product's range, so the prize is refused at once rather than each claim.
 */
export function productValueProblem(productId: string, valueCents: number): string | null {
  const product = GIFTCARD_PRODUCTS.find((p) => p.id === productId);
  if (!product) return "Choose one of the provider's products";
  if (valueCents >= product.minCents && valueCents <= product.maxCents) return null;
  const usd = (cents: number) => `$${(cents / 100).toFixed(2)}`;
  return `${product.name} cards are worth ${usd(product.minCents)} to ${usd(product.maxCents)}`;
}

export const createPrizeSchema = z
  .object({
    name: nameSchema,
    kind: z.enum(prizeKinds, { error: "Choose a kind: gift card, crypto or physical" }),
    value: valueSchema,
    quantity: quantitySchema.min(1, "At least one"),
    description: descriptionSchema.optional(),
    tokenAmount: tokenAmountSchema.optional(),
    tokenSymbol: tokenSymbolSchema.optional(),
    /** Gift cards only; the pool when not given. */
    delivery: deliverySchema.optional(),
    providerProduct: providerProductSchema.optional(),
  })
  .superRefine((d, ctx) => {
    checkTokenFields(d, ctx, d.kind);
    checkDeliveryFields(d, ctx, d.kind);
  });
export type CreatePrizeInput = z.infer<typeof createPrizeSchema>;

/** Every field optional; `retired` retires the prize or brings it back. The kind never changes. */
export const updatePrizeSchema = z
  .object({
    name: nameSchema.optional(),
    description: descriptionSchema.optional(),
    value: valueSchema.optional(),
    quantity: quantitySchema.min(0, "Quantity cannot be negative").optional(),
    tokenAmount: tokenAmountSchema.optional(),
    tokenSymbol: tokenSymbolSchema.optional(),
    retired: z.boolean().optional(),
    delivery: deliverySchema.optional(),
    providerProduct: providerProductSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    checkTokenFields(d, ctx, undefined);
    checkDeliveryFields(d, ctx, undefined);
  });
export type UpdatePrizeInput = z.infer<typeof updatePrizeSchema>;

export type PrizeView = {
  id: string;
  name: string;
  kind: PrizeKind;
  description: string | null;
  valueCents: number;
  tokenAmount: string | null;
  tokenSymbol: string | null;
  quantity: number;
  /** Units held by drops (their pools), claimed or not. */
  allocated: number;
  claimed: number;
  /** Stock not yet claimed: quantity minus claimed units. */
  remaining: number;
  /** How a unit reaches its winner (a gift card: the pool or the provider). */
  delivery: DeliveryProviderName;
  /** A gift card from the provider: the product ordered, e.g. "amazon-us". */
  providerProduct: string | null;
  /** Gift cards from the pool: codes not yet handed out; null for every other prize. */
  codesUnused: number | null;
  codesTotal: number | null;
  retiredAt: string | null;
  createdAt: string;
};

export type PrizeSummary = {
  id: string;
  name: string;
  kind: PrizeKind;
  valueCents: number;
  quantity: number;
  /** As stored: null means by the kind (a gift card from the pool). */
  deliveryProvider: DeliveryProviderName | null;
};
