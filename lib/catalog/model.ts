/**
 * The Sweeps Coins catalog as the browser may see it: items, the identity a player declares
 * before redeeming, and the forms admins fill in.
 */
import { z } from "zod";
import type { PrizeKind } from "@/lib/prizes/model";
import { shippingAddressSchema } from "@/lib/redemptions/model";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";
import { coinAmount } from "@/lib/wallet/model";

export type CatalogItemView = {
  id: string;
  prize: {
    id: string;
    name: string;
    kind: PrizeKind;
    description: string | null;
    valueCents: number;
  };
  /** SC, as "50.00". */
  price: string;
  stock: number;
  position: number;
  /** The scratch card's prize tier awards the first such item with stock (lib/rounds). */
  instantWin: boolean;
  retiredAt: string | null;
};

const stock = z
  .number({ error: "Stock is a whole number" })
  .int("Stock is a whole number")
  .min(0, "Stock cannot be negative")
  .max(1_000_000, "Stock is at most 1,000,000");
const position = z
  .number({ error: "Position is a whole number" })
  .int("Position is a whole number")
  .min(0, "Position cannot be negative")
  .max(10_000, "Position is at most 10,000");

export const createCatalogItemSchema = z
  .object({
    prizeId: z.uuid({ error: "Choose a prize" }),
    price: coinAmount,
    stock,
    position: position.default(0),
    instantWin: z.boolean({ error: "instantWin is true or false" }).default(false),
  })
  .strict();
export type CreateCatalogItemInput = z.infer<typeof createCatalogItemSchema>;

export const updateCatalogItemSchema = z
  .object({
    price: coinAmount.optional(),
    stock: stock.optional(),
    position: position.optional(),
    instantWin: z.boolean({ error: "instantWin is true or false" }).optional(),
    retired: z.boolean({ error: "retired is true or false" }).optional(),
  })
  .strict();
export type UpdateCatalogItemInput = z.infer<typeof updateCatalogItemSchema>;

/** A form's whole-number field as a number; anything else as typed, for the schema to refuse. */
export function formWholeNumber(text: string): number | string {
  return /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : text;
}

/** A calendar date written YYYY-MM-DD that exists (no 31 February). */
export const calendarDate = z
  .string({ error: "Date of birth is a date such as 1990-04-30" })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Date of birth is a date such as 1990-04-30")
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, "That date does not exist");

/** The address a prize is sent to, as shipping asks for it, with a state or region. */
export const postalAddressSchema = shippingAddressSchema
  .omit({ name: true })
  .extend({
    region: z
      .string()
      .trim()
      .max(80, "State or region is too long")
      .refine(withoutNul, NUL_MESSAGE)
      .default(""),
  })
  .strict();

export const identitySchema = z
  .object({
    legalName: z
      .string({ error: "Legal name is required" })
      .trim()
      .min(1, "Legal name is required")
      .max(200, "Legal name is too long")
      .refine(withoutNul, NUL_MESSAGE),
    birthDate: calendarDate,
    postalAddress: postalAddressSchema,
  })
  .strict();
export type IdentityInput = z.infer<typeof identitySchema>;

export type IdentityView = {
  legalName: string | null;
  birthDate: string | null;
  postalAddress: Record<string, string> | null;
  declaredAt: string | null;
};

/** A player's standing with the rules a redemption (or a round's prize) goes through. */
export type RedemptionReadiness = {
  identityDeclared: boolean;
  emailVerified: boolean;
  /** Minor units: the SC balance, the part played through once, and the part still to play. */
  sc: number;
  redeemableSc: number;
  playthroughDue: number;
};

/** Whether someone born on `birthDate` (YYYY-MM-DD) is 18 or older on `now`'s UTC date. */
export function isAdultOn(birthDate: string, now: Date): boolean {
  const [y, m, d] = birthDate.split("-").map(Number) as [number, number, number];
  const eighteenth = Date.UTC(y + 18, m - 1, d);
  return eighteenth <= now.getTime();
}

export const rejectionSchema = z
  .object({
    reason: z
      .string({ error: "Say why the redemption is rejected" })
      .trim()
      .min(1, "Say why the redemption is rejected")
      .max(500, "At most 500 characters")
      .refine(withoutNul, NUL_MESSAGE),
  })
  .strict();

/** A redemption waiting in the approval queue. */
export type PendingApproval = {
  id: string;
  requestedAt: string;
  player: { id: string; email: string };
  catalogItemId: string;
  /** Set for a prize won in this round (nothing was paid; `price` is the item's). */
  roundId: string | null;
  prize: { id: string; name: string; kind: PrizeKind };
  price: string;
};

export type Review = {
  redemptionId: string;
  status: "fulfilled" | "awaiting_action" | "rejected";
  reviewedAt: string;
  /**
   * SC given back: the price for a rejection (a round's prize: the prize tier's coin value),
   * "0.00" for an approval.
   */
  refundedSc: string;
};
