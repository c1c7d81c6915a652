import { createHash, randomBytes } from "node:crypto";
import { desc, eq, gt, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { dropPools, drops, type EligibilityRules, prizes } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";

type PrizeKind = "gift_card" | "crypto" | "physical";
type Tier = "bronze" | "silver" | "gold";

export type DropView = {
  id: string;
  title: string;
  /** The headline prize: the first pool's. */
  prize: { id: string; name: string; kind: PrizeKind; valueCents: number };
  pools: Array<{
    id: string;
    prize: { id: string; name: string; kind: PrizeKind; valueCents: number };
    units: number;
    minTier: Tier;
  }>;
  units: number;
  remaining: number;
  startsAt: string;
  endsAt: string;
  perPlayerLimit: number;
  allocation: "first_come" | "lottery";
  eligibility: EligibilityRules;
  status: "upcoming" | "live" | "paused" | "ended" | "sold_out";
};

const columns = {
  id: drops.id,
  title: drops.title,
  units: drops.units,
  startsAt: drops.startsAt,
  endsAt: drops.endsAt,
  perPlayerLimit: drops.perPlayerLimit,
  allocation: drops.allocation,
  eligibility: drops.eligibility,
  paused: sql<boolean>`${drops.pausedAt} is not null`,
  started: sql<boolean>`${drops.startsAt} <= now()`,
  ended: sql<boolean>`${drops.endsAt} <= now()`,
  // Written out: inside a subquery, drizzle would render the outer column unqualified.
  remaining: sql<number>`(select count(*)::int from drop_units u
    where u.drop_id = "drops"."id" and u.status = 'available')`,
};

type Row = {
  id: string;
  title: string;
  units: number;
  startsAt: Date;
  endsAt: Date;
  perPlayerLimit: number;
  allocation: "first_come" | "lottery";
  eligibility: EligibilityRules;
  paused: boolean;
  started: boolean;
  ended: boolean;
  remaining: number;
};

async function withPools(db: DbOrTx, rows: Row[]): Promise<DropView[]> {
  if (rows.length === 0) return [];
  const pools = await db
    .select({
      id: dropPools.id,
      dropId: dropPools.dropId,
      units: dropPools.units,
      minTier: dropPools.minTier,
      prizeId: prizes.id,
      name: prizes.name,
      kind: prizes.kind,
      valueCents: prizes.valueCents,
    })
    .from(dropPools)
    .innerJoin(prizes, eq(prizes.id, dropPools.prizeId))
    .where(
      inArray(
        dropPools.dropId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(dropPools.position);
  return rows.map((row) => {
    const own = pools
      .filter((p) => p.dropId === row.id)
      .map((p) => ({
        id: p.id,
        prize: { id: p.prizeId, name: p.name, kind: p.kind, valueCents: p.valueCents },
        units: p.units,
        minTier: p.minTier,
      }));
    const status = row.ended
      ? "ended"
      : !row.started
        ? "upcoming"
        : row.paused
          ? "paused"
          : row.remaining === 0
            ? "sold_out"
            : "live";
    const headline = own[0]?.prize;
    if (!headline) throw new Error(`drop ${row.id} has no pool`);
    return {
      id: row.id,
      title: row.title,
      prize: headline,
      pools: own,
      units: row.units,
      remaining: row.remaining,
      startsAt: row.startsAt.toISOString(),
      endsAt: row.endsAt.toISOString(),
      perPlayerLimit: row.perPlayerLimit,
      allocation: row.allocation,
      eligibility: row.eligibility,
      status,
    };
  });
}

/** Live and upcoming drops with the database's clock, so pages can correct their countdowns. */
export async function listOpenDrops(
  db: DbOrTx,
): Promise<{ serverTime: string; drops: DropView[] }> {
  const rows = await db
    .select(columns)
    .from(drops)
    .where(gt(drops.endsAt, sql`now()`))
    .orderBy(drops.startsAt);
  return { serverTime: await databaseNow(db), drops: await withPools(db, rows) };
}

export async function listAllDrops(db: DbOrTx): Promise<DropView[]> {
  const rows = await db.select(columns).from(drops).orderBy(desc(drops.startsAt)).limit(500);
  return withPools(db, rows);
}

export async function getDrop(db: DbOrTx, id: string): Promise<DropView | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  const rows = await db.select(columns).from(drops).where(eq(drops.id, id));
  const [view] = await withPools(db, rows);
  return view;
}

export async function databaseNow(db: DbOrTx): Promise<string> {
  const [row] = await db.execute<{ now: string }>(
    sql`select to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as now`,
  );
  if (!row) throw new Error("no clock from the database");
  return row.now;
}

const tierSchema = z.enum(["bronze", "silver", "gold"], {
  error: "Tier is bronze, silver or gold",
});

const unitsSchema = z.coerce
  .number({ error: "Units must be a number" })
  .int("Units must be a whole number")
  .min(1, "At least one unit")
  .max(1_000_000, "At most 1,000,000 units");

export const eligibilitySchema = z
  .object({
    verifiedEmail: z.boolean().optional(),
    minAccountAgeDays: z.coerce.number().int().min(0).max(3650).optional(),
    minTier: tierSchema.optional(),
    regions: z
      .array(
        z
          .string()
          .trim()
          .toUpperCase()
          .regex(/^[A-Z]{2}$/, "Regions are two-letter country codes"),
      )
      .max(250)
      .optional(),
    notFlagged: z.boolean().optional(),
    onePerGroup: z.boolean().optional(),
  })
  .strict();

export const createDropSchema = z
  .object({
    title: z
      .string()
      .trim()
      .min(1, "Title is required")
      .max(120, "Title is too long")
      .refine(withoutNul, NUL_MESSAGE),
    prizeId: z.uuid({ error: "Choose a prize" }).optional(),
    units: unitsSchema.optional(),
    pools: z
      .array(
        z.object({
          prizeId: z.uuid({ error: "Choose a prize" }),
          units: unitsSchema,
          minTier: tierSchema.default("bronze"),
        }),
      )
      .min(1)
      .max(10)
      .optional(),
    startsAt: z.coerce.date({ error: "Start must be a date and time" }),
    endsAt: z.coerce.date({ error: "End must be a date and time" }),
    perPlayerLimit: z.coerce
      .number({ error: "Limit must be a number" })
      .int()
      .min(1, "At least one per player")
      .max(100, "At most 100 per player")
      .default(1),
    eligibility: eligibilitySchema.default({}),
    allocation: z
      .enum(["first_come", "lottery"], { error: "Allocation is first_come or lottery" })
      .default("first_come"),
  })
  .refine((d) => d.endsAt > d.startsAt, { path: ["endsAt"], message: "End must be after start" })
  .refine((d) => d.pools !== undefined || (d.prizeId !== undefined && d.units !== undefined), {
    path: ["prizeId"],
    message: "Choose a prize and a number of units",
  });
export type CreateDropInput = z.infer<typeof createDropSchema>;

/** Creates a drop with one unit row per unit, taking them from each prize's unallocated stock. */
export async function createDrop(db: DbOrTx, input: CreateDropInput): Promise<{ id: string }> {
  const pools = input.pools ?? [
    { prizeId: input.prizeId as string, units: input.units as number, minTier: "bronze" as const },
  ];
  return db.transaction(async (tx) => {
    const prizeIds = [...new Set(pools.map((p) => p.prizeId))];
    // Lock the prizes so two drops cannot allocate the same stock.
    const found = await tx
      .select({ id: prizes.id, quantity: prizes.quantity })
      .from(prizes)
      .where(inArray(prizes.id, prizeIds))
      .for("update");
    for (const prizeId of prizeIds) {
      const prize = found.find((p) => p.id === prizeId);
      if (!prize) throw new AppError("invalid_input", "Prize not found", { field: "prizeId" });
      const [allocated] = await tx
        .select({ units: sql<number>`coalesce(sum(${dropPools.units}), 0)::int` })
        .from(dropPools)
        .where(eq(dropPools.prizeId, prizeId));
      const available = prize.quantity - (allocated?.units ?? 0);
      const wanted = pools.filter((p) => p.prizeId === prizeId).reduce((n, p) => n + p.units, 0);
      if (wanted > available) {
        throw new AppError(
          "invalid_input",
          `Only ${available} units of this prize are unallocated`,
          { field: "units" },
        );
      }
    }
    const [drop] = await tx
      .insert(drops)
      .values({
        title: input.title,
        units: pools.reduce((n, p) => n + p.units, 0),
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        perPlayerLimit: input.perPlayerLimit,
        eligibility: input.eligibility,
        allocation: input.allocation,
        // A lottery commits to its secret seed now; the seed is revealed after the draw.
        ...(input.allocation === "lottery" ? lotterySeed() : {}),
      })
      .returning({ id: drops.id });
    if (!drop) throw new Error("drop insert returned nothing");
    for (const [position, pool] of pools.entries()) {
      const [row] = await tx
        .insert(dropPools)
        .values({ dropId: drop.id, position, ...pool })
        .returning({ id: dropPools.id });
      if (!row) throw new Error("pool insert returned nothing");
      await tx.execute(sql`
        insert into drop_units (drop_id, pool_id, prize_id)
        select ${drop.id}, ${row.id}, ${pool.prizeId} from generate_series(1, ${pool.units})`);
    }
    return drop;
  });
}

function lotterySeed(): { seed: Uint8Array; seedHash: Uint8Array } {
  const seed = new Uint8Array(randomBytes(32));
  return { seed, seedHash: new Uint8Array(createHash("sha256").update(seed).digest()) };
}

/** Pauses or resumes a drop; claims on a paused drop are refused with `paused`. */
export async function setDropPaused(db: DbOrTx, dropId: string, paused: boolean): Promise<boolean> {
  const rows = await db
    .update(drops)
    .set({ pausedAt: paused ? sql`coalesce(${drops.pausedAt}, now())` : null })
    .where(eq(drops.id, dropId))
    .returning({ id: drops.id });
  return rows.length > 0;
}
