import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { type CatalogItem, catalogItems, prizes } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import type { AdminActor } from "@/lib/prizes/prizes";
import { formatCoins } from "@/lib/wallet/model";
import type { CatalogItemView, CreateCatalogItemInput, UpdateCatalogItemInput } from "./model";

const columns = {
  id: catalogItems.id,
  priceSc: catalogItems.priceSc,
  stock: catalogItems.stock,
  position: catalogItems.position,
  instantWin: catalogItems.instantWin,
  retiredAt: catalogItems.retiredAt,
  prizeId: prizes.id,
  prizeName: prizes.name,
  prizeKind: prizes.kind,
  prizeDescription: prizes.description,
  prizeValueCents: prizes.valueCents,
};

function itemQuery(db: DbOrTx) {
  return db
    .select(columns)
    .from(catalogItems)
    .innerJoin(prizes, eq(prizes.id, catalogItems.prizeId));
}

function toView(row: Awaited<ReturnType<typeof itemQuery>>[number]): CatalogItemView {
  return {
    id: row.id,
    prize: {
      id: row.prizeId,
      name: row.prizeName,
      kind: row.prizeKind,
      description: row.prizeDescription,
      valueCents: row.prizeValueCents,
    },
    price: formatCoins(row.priceSc),
    stock: row.stock,
    position: row.position,
    instantWin: row.instantWin,
    retiredAt: row.retiredAt?.toISOString() ?? null,
  };
}

/** The items on sale (or every item, for admins), by position then price. */
export async function listCatalogItems(
  db: DbOrTx,
  { includeRetired = false }: { includeRetired?: boolean } = {},
): Promise<CatalogItemView[]> {
  const rows = await itemQuery(db)
    .where(includeRetired ? undefined : isNull(catalogItems.retiredAt))
    .orderBy(asc(catalogItems.position), asc(catalogItems.priceSc), asc(catalogItems.id));
  return rows.map(toView);
}

export async function getCatalogItem(db: DbOrTx, id: string): Promise<CatalogItemView | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  const [row] = await itemQuery(db).where(eq(catalogItems.id, id));
  return row && toView(row);
}

const audited = (item: CatalogItem) => ({
  prizeId: item.prizeId,
  price: formatCoins(item.priceSc),
  stock: item.stock,
  position: item.position,
  instantWin: item.instantWin,
  retiredAt: item.retiredAt?.toISOString() ?? null,
});

/**
 * Refuses to offer an item as the scratch card's instant-win prize when no prize tier could ever
 * award it: no stock, its prize retired, or a gift card from the pool with no code left to give
 * (the caller refuses a retired item; the provider issues its gift cards at delivery). An item offered already that runs out stays offered: restocking it
 * resumes the prize.
 */
async function assertAwardable(
  tx: DbOrTx,
  item: { prizeId: string; stock: number },
): Promise<void> {
  const refuse = (message: string) => {
    throw new AppError("invalid_input", message, { field: "instantWin" });
  };
  if (item.stock <= 0) refuse("An item with no stock cannot be the instant-win prize: add stock");
  const [prize] = await tx.execute<{ from_pool: boolean; retired: boolean; codes: boolean }>(sql`
    select p.kind = 'gift_card' and coalesce(p.delivery_provider, 'pool') = 'pool' as from_pool,
           p.retired_at is not null as retired,
           exists (select 1 from gift_codes g where g.prize_id = p.id
                   and g.redemption_id is null and g.quarantined_at is null) as codes
    from prizes p where p.id = ${item.prizeId}`);
  if (!prize || prize.retired) refuse("This item's prize is retired: it cannot be an instant win");
  if (prize?.from_pool && !prize.codes) {
    refuse(
      "This gift card has no codes left to give: import codes before making it an instant win",
    );
  }
}

/** Puts a prize on sale for SC. The prize must exist and not be retired. Audited. */
export async function createCatalogItem(
  db: DbOrTx,
  input: CreateCatalogItemInput,
  actor: AdminActor,
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const [prize] = await tx
      .select({ id: prizes.id })
      .from(prizes)
      .where(and(eq(prizes.id, input.prizeId), isNull(prizes.retiredAt)));
    if (!prize) {
      throw new AppError("invalid_input", "No such prize, or it is retired", { field: "prizeId" });
    }
    if (input.instantWin) {
      await assertAwardable(tx, { prizeId: input.prizeId, stock: input.stock });
    }
    const [item] = await tx
      .insert(catalogItems)
      .values({
        prizeId: input.prizeId,
        priceSc: input.price,
        stock: input.stock,
        position: input.position,
        instantWin: input.instantWin,
      })
      .returning();
    if (!item) throw new Error("catalog item insert returned nothing");
    await recordEvent(tx, {
      ...actor,
      action: "catalog_item_create",
      subject: `catalog_item:${item.id}`,
      outcome: "ok",
      data: { before: null, after: audited(item) },
    });
    return { id: item.id };
  });
}

/**
 * Changes an item's price, stock, position or instant-win flag, or retires it (or puts it back).
 * Turning the flag on is refused for an item no prize tier could award (assertAwardable);
 * retiring an item takes the flag off. Audited.
 */
export async function updateCatalogItem(
  db: DbOrTx,
  id: string,
  input: UpdateCatalogItemInput,
  actor: AdminActor,
): Promise<CatalogItemView> {
  if (!z.uuid().safeParse(id).success) throw new AppError("not_found", "No such catalog item");
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(catalogItems)
      .where(eq(catalogItems.id, id))
      .for("update");
    if (!before) throw new AppError("not_found", "No such catalog item");
    const retiredAt =
      input.retired === undefined
        ? before.retiredAt
        : input.retired
          ? (before.retiredAt ?? new Date())
          : null;
    if (input.instantWin && retiredAt !== null) {
      throw new AppError("invalid_input", "A retired item cannot be the instant-win prize", {
        field: "instantWin",
      });
    }
    const instantWin = retiredAt !== null ? false : (input.instantWin ?? before.instantWin);
    const stock = input.stock ?? before.stock;
    if (instantWin && !before.instantWin) {
      await assertAwardable(tx, { prizeId: before.prizeId, stock });
    }
    const [after] = await tx
      .update(catalogItems)
      .set({
        priceSc: input.price ?? before.priceSc,
        stock,
        position: input.position ?? before.position,
        instantWin,
        retiredAt,
      })
      .where(eq(catalogItems.id, id))
      .returning();
    if (!after) throw new Error("catalog item vanished under its lock");
    const action =
      before.retiredAt === null && after.retiredAt !== null
        ? "catalog_item_retire"
        : before.retiredAt !== null && after.retiredAt === null
          ? "catalog_item_unretire"
          : "catalog_item_update";
    await recordEvent(tx, {
      ...actor,
      action,
      subject: `catalog_item:${id}`,
      outcome: "ok",
      data: { before: audited(before), after: audited(after) },
    });
  });
  const view = await getCatalogItem(db, id);
  if (!view) throw new AppError("not_found", "No such catalog item");
  return view;
}
