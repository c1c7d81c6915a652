import { desc, eq, gt, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { drops, prizes } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";

export type DropView = {
  id: string;
  title: string;
  prize: {
    id: string;
    name: string;
    kind: "gift_card" | "crypto" | "physical";
    valueCents: number;
  };
  units: number;
  remaining: number;
  startsAt: string;
  endsAt: string;
  status: "upcoming" | "live" | "ended" | "sold_out";
};

const columns = {
  id: drops.id,
  title: drops.title,
  units: drops.units,
  remaining: drops.remaining,
  startsAt: drops.startsAt,
  endsAt: drops.endsAt,
  prizeId: prizes.id,
  prizeName: prizes.name,
  prizeKind: prizes.kind,
  valueCents: prizes.valueCents,
  started: sql<boolean>`${drops.startsAt} <= now()`,
  ended: sql<boolean>`${drops.endsAt} <= now()`,
};

type Row = {
  id: string;
  title: string;
  units: number;
  remaining: number;
  startsAt: Date;
  endsAt: Date;
  prizeId: string;
  prizeName: string;
  prizeKind: DropView["prize"]["kind"];
  valueCents: number;
  started: boolean;
  ended: boolean;
};

function toView(row: Row): DropView {
  const status = row.ended
    ? "ended"
    : !row.started
      ? "upcoming"
      : row.remaining === 0
        ? "sold_out"
        : "live";
  return {
    id: row.id,
    title: row.title,
    prize: {
      id: row.prizeId,
      name: row.prizeName,
      kind: row.prizeKind,
      valueCents: row.valueCents,
    },
    units: row.units,
    remaining: row.remaining,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    status,
  };
}

/** Live and upcoming drops with the database's clock, so pages can correct their countdowns. */
export async function listOpenDrops(
  db: DbOrTx,
): Promise<{ serverTime: string; drops: DropView[] }> {
  const rows = await db
    .select(columns)
    .from(drops)
    .innerJoin(prizes, eq(prizes.id, drops.prizeId))
    .where(gt(drops.endsAt, sql`now()`))
    .orderBy(drops.startsAt);
  return { serverTime: await databaseNow(db), drops: rows.map(toView) };
}

export async function listAllDrops(db: DbOrTx): Promise<DropView[]> {
  const rows = await db
    .select(columns)
    .from(drops)
    .innerJoin(prizes, eq(prizes.id, drops.prizeId))
    .orderBy(desc(drops.startsAt))
    .limit(500);
  return rows.map(toView);
}

export async function getDrop(db: DbOrTx, id: string): Promise<DropView | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  const [row] = await db
    .select(columns)
    .from(drops)
    .innerJoin(prizes, eq(prizes.id, drops.prizeId))
    .where(eq(drops.id, id));
  return row && toView(row);
}

export async function databaseNow(db: DbOrTx): Promise<string> {
  const [row] = await db.execute<{ now: string }>(
    sql`select to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as now`,
  );
  if (!row) throw new Error("no clock from the database");
  return row.now;
}

export const createDropSchema = z
  .object({
    title: z.string().trim().min(1, "Title is required").max(120, "Title is too long"),
    prizeId: z.uuid({ error: "Choose a prize" }),
    units: z.coerce
      .number({ error: "Units must be a number" })
      .int("Units must be a whole number")
      .min(1, "At least one unit")
      .max(10_000_000, "At most 10,000,000 units"),
    startsAt: z.coerce.date({ error: "Start must be a date and time" }),
    endsAt: z.coerce.date({ error: "End must be a date and time" }),
  })
  .refine((d) => d.endsAt > d.startsAt, { path: ["endsAt"], message: "End must be after start" });
export type CreateDropInput = z.infer<typeof createDropSchema>;

/** Creates a drop, taking its units from the prize's unallocated stock. */
export async function createDrop(db: DbOrTx, input: CreateDropInput): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    // Lock the prize so two drops cannot allocate the same stock.
    const [prize] = await tx
      .select({ quantity: prizes.quantity })
      .from(prizes)
      .where(eq(prizes.id, input.prizeId))
      .for("update");
    if (!prize) throw new AppError("invalid_input", "Prize not found", { field: "prizeId" });
    const [allocated] = await tx
      .select({ units: sql<number>`coalesce(sum(${drops.units}), 0)::int` })
      .from(drops)
      .where(eq(drops.prizeId, input.prizeId));
    const available = prize.quantity - (allocated?.units ?? 0);
    if (input.units > available) {
      throw new AppError("invalid_input", `Only ${available} units of this prize are unallocated`, {
        field: "units",
      });
    }
    const [drop] = await tx
      .insert(drops)
      .values({ ...input, remaining: input.units })
      .returning({ id: drops.id });
    if (!drop) throw new Error("drop insert returned nothing");
    return drop;
  });
}
