import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { type Prize, prizes } from "@/db/schema";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";

export const prizeKinds = ["gift_card", "crypto", "physical"] as const;
export const prizeKindLabels: Record<(typeof prizeKinds)[number], string> = {
  gift_card: "Gift card",
  crypto: "Crypto token",
  physical: "Physical item",
};

export const createPrizeSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Name is required")
    .max(120, "Name is too long")
    .refine(withoutNul, NUL_MESSAGE),
  kind: z.enum(prizeKinds, { error: "Choose a kind: gift card, crypto or physical" }),
  value: z.coerce
    .number({ error: "Value must be a number" })
    .min(0, "Value cannot be negative")
    .max(1_000_000, "Value is at most 1,000,000")
    .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, "At most two decimals"),
  quantity: z.coerce
    .number({ error: "Quantity must be a number" })
    .int("Quantity must be a whole number")
    .min(1, "At least one")
    .max(10_000_000, "At most 10,000,000"),
});
export type CreatePrizeInput = z.infer<typeof createPrizeSchema>;

export type PrizeView = {
  id: string;
  name: string;
  kind: (typeof prizeKinds)[number];
  valueCents: number;
  quantity: number;
  allocated: number;
  remaining: number;
  createdAt: string;
};

export async function createPrize(db: DbOrTx, input: CreatePrizeInput): Promise<{ id: string }> {
  const [prize] = await db
    .insert(prizes)
    .values({
      name: input.name,
      kind: input.kind,
      valueCents: Math.round(input.value * 100),
      quantity: input.quantity,
    })
    .returning({ id: prizes.id });
  if (!prize) throw new Error("prize insert returned nothing");
  return prize;
}

const summaryColumns = {
  id: prizes.id,
  name: prizes.name,
  kind: prizes.kind,
  valueCents: prizes.valueCents,
  quantity: prizes.quantity,
};

/** Prizes with stock allocated to drops and what is still unclaimed across them. */
export async function listPrizes(db: DbOrTx): Promise<PrizeView[]> {
  const rows = await db
    .select({
      ...summaryColumns,
      createdAt: prizes.createdAt,
      allocated: sql<number>`(select coalesce(sum(p.units), 0)::int from drop_pools p
        where p.prize_id = "prizes"."id")`,
      claimed: sql<number>`(select count(*)::int from drop_units u
        where u.prize_id = "prizes"."id" and u.status = 'claimed')`,
    })
    .from(prizes)
    .orderBy(desc(prizes.createdAt));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    valueCents: r.valueCents,
    quantity: r.quantity,
    allocated: r.allocated,
    remaining: r.quantity - r.claimed,
    createdAt: r.createdAt.toISOString(),
  }));
}

export type PrizeSummary = Pick<Prize, "id" | "name" | "kind" | "valueCents" | "quantity">;

/** One prize, or undefined for an unknown or malformed id. */
export async function getPrize(db: DbOrTx, prizeId: string): Promise<PrizeSummary | undefined> {
  if (!z.uuid().safeParse(prizeId).success) return undefined;
  const [prize] = await db
    .select({
      ...summaryColumns,
    })
    .from(prizes)
    .where(eq(prizes.id, prizeId));
  return prize;
}
