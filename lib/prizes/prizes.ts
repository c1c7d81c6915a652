import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { dropPools, type Prize, prizes } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";
import { prizeKinds } from "./model";

/** Who made an admin change, for the audit record written in the change's own transaction. */
export type AdminActor = RequestContext & { actorId: string; tokenId?: string | null };

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

export const createPrizeSchema = z
  .object({
    name: nameSchema,
    kind: z.enum(prizeKinds, { error: "Choose a kind: gift card, crypto or physical" }),
    value: valueSchema,
    quantity: quantitySchema.min(1, "At least one"),
    description: descriptionSchema.optional(),
    tokenAmount: tokenAmountSchema.optional(),
    tokenSymbol: tokenSymbolSchema.optional(),
  })
  .superRefine((d, ctx) => checkTokenFields(d, ctx, d.kind));
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
  })
  .strict()
  .superRefine((d, ctx) => checkTokenFields(d, ctx, undefined));
export type UpdatePrizeInput = z.infer<typeof updatePrizeSchema>;

export type PrizeView = {
  id: string;
  name: string;
  kind: (typeof prizeKinds)[number];
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
  /** Gift cards: codes in the pool not yet handed out; null for other kinds. */
  codesUnused: number | null;
  codesTotal: number | null;
  retiredAt: string | null;
  createdAt: string;
};

/** numeric(38,18) comes back padded ("5.000000000000000000"); players read "5". */
export function formatTokenAmount(amount: string): string {
  return amount.includes(".") ? amount.replace(/\.?0+$/, "") : amount;
}

const viewColumns = {
  id: prizes.id,
  name: prizes.name,
  kind: prizes.kind,
  description: prizes.description,
  valueCents: prizes.valueCents,
  tokenAmount: prizes.tokenAmount,
  tokenSymbol: prizes.tokenSymbol,
  quantity: prizes.quantity,
  retiredAt: prizes.retiredAt,
  createdAt: prizes.createdAt,
  // Written out: inside a subquery, drizzle would render the outer column unqualified.
  allocated: sql<number>`(select coalesce(sum(p.units), 0)::int from drop_pools p
    where p.prize_id = "prizes"."id")`,
  claimed: sql<number>`(select count(*)::int from drop_units u
    where u.prize_id = "prizes"."id" and u.status = 'claimed')`,
  codesTotal: sql<number>`(select count(*)::int from gift_codes g where g.prize_id = "prizes"."id")`,
  codesUnused: sql<number>`(select count(*)::int from gift_codes g
    where g.prize_id = "prizes"."id" and g.redemption_id is null and g.quarantined_at is null)`,
};

type ViewRow = Pick<
  Prize,
  | "id"
  | "name"
  | "kind"
  | "description"
  | "valueCents"
  | "tokenAmount"
  | "tokenSymbol"
  | "quantity"
  | "retiredAt"
  | "createdAt"
> & { allocated: number; claimed: number; codesTotal: number; codesUnused: number };

function toView(r: ViewRow): PrizeView {
  const giftCard = r.kind === "gift_card";
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    description: r.description,
    valueCents: r.valueCents,
    tokenAmount: r.tokenAmount === null ? null : formatTokenAmount(r.tokenAmount),
    tokenSymbol: r.tokenSymbol,
    quantity: r.quantity,
    allocated: r.allocated,
    claimed: r.claimed,
    remaining: r.quantity - r.claimed,
    codesTotal: giftCard ? r.codesTotal : null,
    codesUnused: giftCard ? r.codesUnused : null,
    retiredAt: r.retiredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** Every prize with its live inventory; retired ones carry `retiredAt` (pages list them apart). */
export async function listPrizes(db: DbOrTx): Promise<PrizeView[]> {
  const rows = await db.select(viewColumns).from(prizes).orderBy(desc(prizes.createdAt));
  return rows.map(toView);
}

/** One prize with its inventory, or undefined for an unknown or malformed id. */
export async function getPrizeView(db: DbOrTx, prizeId: string): Promise<PrizeView | undefined> {
  if (!z.uuid().safeParse(prizeId).success) return undefined;
  const [row] = await db.select(viewColumns).from(prizes).where(eq(prizes.id, prizeId));
  return row && toView(row);
}

export type PrizeSummary = Pick<Prize, "id" | "name" | "kind" | "valueCents" | "quantity">;

/** One prize, or undefined for an unknown or malformed id. */
export async function getPrize(db: DbOrTx, prizeId: string): Promise<PrizeSummary | undefined> {
  if (!z.uuid().safeParse(prizeId).success) return undefined;
  const [prize] = await db
    .select({
      id: prizes.id,
      name: prizes.name,
      kind: prizes.kind,
      valueCents: prizes.valueCents,
      quantity: prizes.quantity,
    })
    .from(prizes)
    .where(eq(prizes.id, prizeId));
  return prize;
}

/** The audited picture of a prize: what an admin can change. */
function auditedFields(p: Prize) {
  return {
    name: p.name,
    kind: p.kind,
    description: p.description,
    valueCents: p.valueCents,
    quantity: p.quantity,
    tokenAmount: p.tokenAmount === null ? null : formatTokenAmount(p.tokenAmount),
    tokenSymbol: p.tokenSymbol,
    retiredAt: p.retiredAt?.toISOString() ?? null,
  };
}

export async function createPrize(
  db: DbOrTx,
  input: CreatePrizeInput,
  actor?: AdminActor,
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const [prize] = await tx
      .insert(prizes)
      .values({
        name: input.name,
        kind: input.kind,
        description: input.description ?? null,
        valueCents: Math.round(input.value * 100),
        quantity: input.quantity,
        tokenAmount: input.tokenAmount ?? null,
        tokenSymbol: input.tokenSymbol ?? null,
      })
      .returning();
    if (!prize) throw new Error("prize insert returned nothing");
    if (actor) {
      await recordEvent(tx, {
        ...actor,
        action: "prize_create",
        subject: `prize:${prize.id}`,
        outcome: "ok",
        data: { before: null, after: auditedFields(prize) },
      });
    }
    return { id: prize.id };
  });
}

/**
 * Edits a prize. The quantity may go down, but never below the units drops already hold: those
 * units exist as rows players can claim, so stock under them would be promised twice.
 * Retiring keeps the prize in the drops that have it and out of every new one.
 */
export async function updatePrize(
  db: DbOrTx,
  prizeId: string,
  input: UpdatePrizeInput,
  actor: AdminActor,
): Promise<PrizeView> {
  if (!z.uuid().safeParse(prizeId).success) throw new AppError("not_found", "No such prize");
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(prizes).where(eq(prizes.id, prizeId)).for("update");
    if (!before) throw new AppError("not_found", "No such prize");
    const tokenGiven = input.tokenAmount !== undefined || input.tokenSymbol !== undefined;
    if (tokenGiven && before.kind !== "crypto" && (input.tokenAmount ?? input.tokenSymbol)) {
      throw new AppError("invalid_input", "Only crypto prizes have a token amount", {
        field: "tokenAmount",
      });
    }
    if (input.quantity !== undefined && input.quantity < before.quantity) {
      // Drops take their units under this same lock (createDrop locks the prize row).
      const [held] = await tx
        .select({ units: sql<number>`coalesce(sum(${dropPools.units}), 0)::int` })
        .from(dropPools)
        .where(eq(dropPools.prizeId, prizeId));
      const allocated = held?.units ?? 0;
      if (input.quantity < allocated) {
        throw new AppError(
          "invalid_input",
          `Drops already hold ${allocated} units of this prize: the quantity cannot go below that`,
          { field: "quantity", allocated },
        );
      }
    }
    const set: Partial<typeof prizes.$inferInsert> = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.value !== undefined && { valueCents: Math.round(input.value * 100) }),
      ...(input.quantity !== undefined && { quantity: input.quantity }),
      ...(input.tokenAmount !== undefined && { tokenAmount: input.tokenAmount }),
      ...(input.tokenSymbol !== undefined && { tokenSymbol: input.tokenSymbol }),
    };
    if (input.retired !== undefined && input.retired !== (before.retiredAt !== null)) {
      set.retiredAt = input.retired ? new Date() : null;
    }
    if (Object.keys(set).length === 0) return;
    const [after] = await tx.update(prizes).set(set).where(eq(prizes.id, prizeId)).returning();
    if (!after) throw new Error("prize update returned nothing");
    const action =
      set.retiredAt !== undefined && Object.keys(set).length === 1
        ? set.retiredAt
          ? "prize_retire"
          : "prize_unretire"
        : "prize_update";
    await recordEvent(tx, {
      ...actor,
      action,
      subject: `prize:${prizeId}`,
      outcome: "ok",
      data: { before: auditedFields(before), after: auditedFields(after) },
    });
  });
  const view = await getPrizeView(db, prizeId);
  if (!view) throw new AppError("not_found", "No such prize");
  return view;
}
