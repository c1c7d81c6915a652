import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { dropPools, type Prize, prizes } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { deliveryProviderOf } from "@/lib/delivery/model";
import { AppError } from "@/lib/errors/app-error";
import {
  type CreatePrizeInput,
  type PrizeSummary,
  type PrizeView,
  productValueProblem,
  type UpdatePrizeInput,
} from "./model";

/** Who made an admin change, for the audit record written in the change's own transaction. */
export type AdminActor = RequestContext & { actorId: string; tokenId?: string | null };

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
  deliveryProvider: prizes.deliveryProvider,
  providerProduct: prizes.providerProduct,
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
  | "deliveryProvider"
  | "providerProduct"
> & { allocated: number; claimed: number; codesTotal: number; codesUnused: number };

function toView(r: ViewRow): PrizeView {
  const delivery = deliveryProviderOf(r.kind, r.deliveryProvider);
  const pool = delivery === "pool";
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
    delivery,
    providerProduct: r.providerProduct,
    codesTotal: pool ? r.codesTotal : null,
    codesUnused: pool ? r.codesUnused : null,
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
      deliveryProvider: prizes.deliveryProvider,
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
    delivery: deliveryProviderOf(p.kind, p.deliveryProvider),
    providerProduct: p.providerProduct,
    retiredAt: p.retiredAt?.toISOString() ?? null,
  };
}

/**
 * Refuses a provider product whose face values do not include the prize's value: the provider
 * would refuse every order of it.
 */
function assertProductTakesValue(productId: string | null, valueCents: number): void {
  if (productId === null) return;
  const problem = productValueProblem(productId, valueCents);
  if (problem) throw new AppError("invalid_input", problem, { field: "providerProduct" });
}

export async function createPrize(
  db: DbOrTx,
  input: CreatePrizeInput,
  actor?: AdminActor,
): Promise<{ id: string }> {
  const giftCard = input.kind === "gift_card";
  const providerProduct =
    giftCard && input.delivery === "giftcard" ? (input.providerProduct ?? null) : null;
  assertProductTakesValue(providerProduct, Math.round(input.value * 100));
  return db.transaction(async (tx) => {
    const [prize] = await tx
      .insert(prizes)
      .values({
        deliveryProvider: giftCard ? (input.delivery ?? null) : null,
        providerProduct,
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
    const deliveryGiven = input.delivery !== undefined || input.providerProduct !== undefined;
    if (deliveryGiven && before.kind !== "gift_card") {
      throw new AppError("invalid_input", "Only gift cards choose how they are delivered", {
        field: "delivery",
      });
    }
    const delivery = input.delivery ?? deliveryProviderOf(before.kind, before.deliveryProvider);
    const providerProduct =
      delivery === "giftcard" ? (input.providerProduct ?? before.providerProduct) : null;
    if (delivery === "giftcard") {
      if (!providerProduct) {
        throw new AppError("invalid_input", "Choose the product the provider sends", {
          field: "providerProduct",
        });
      }
      assertProductTakesValue(
        providerProduct,
        input.value !== undefined ? Math.round(input.value * 100) : before.valueCents,
      );
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
      ...(deliveryGiven && { deliveryProvider: delivery, providerProduct }),
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
