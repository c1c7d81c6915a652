import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { DbOrTx, Tx } from "@/db/client";
import { excludedRegions } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { countryName } from "@/lib/geo/model";
import type { ExcludedRegion, ExcludedRegionInput, removeRegionSchema } from "./model";

/** Who changes the list, for the audit trail. */
export type RegionActor = { actorId: string; tokenId?: string | null } & RequestContext;

/** The excluded regions, by code. */
export async function listExcludedRegions(db: DbOrTx): Promise<ExcludedRegion[]> {
  const rows = await db.select().from(excludedRegions).orderBy(asc(excludedRegions.code));
  return rows.map((r) => ({
    code: r.code,
    name: countryName(r.code),
    note: r.note,
    sweepsOnly: r.sweepsOnly,
    createdAt: r.createdAt.toISOString(),
  }));
}

/**
 * Just the codes a claim or lottery entry is refused in. A sweeps-only row does not block
 * claims: it only closes Sweeps Coins play and redemption (listScBlockedCodes).
 */
export async function listExcludedCodes(db: DbOrTx): Promise<string[]> {
  const rows = await db
    .select({ code: excludedRegions.code })
    .from(excludedRegions)
    .where(eq(excludedRegions.sweepsOnly, false));
  return rows.map((r) => r.code);
}

/** The codes where Sweeps Coins play and redemption are refused: every listed region. */
export async function listScBlockedCodes(db: DbOrTx): Promise<string[]> {
  const rows = await db.select({ code: excludedRegions.code }).from(excludedRegions);
  return rows.map((r) => r.code);
}

/** Whether a declared region is closed to Sweeps Coins (a player with no region is not). */
export async function isScBlockedRegion(db: DbOrTx, region: string | null): Promise<boolean> {
  if (!region) return false;
  const rows = await db
    .select({ code: excludedRegions.code })
    .from(excludedRegions)
    .where(eq(excludedRegions.code, region));
  return rows.length > 0;
}

/**
 * Changes to the list take the table in EXCLUSIVE mode: claims still read it, but two admins
 * changing it at once take turns, so each audit event's `before` is what that change replaced.
 */
async function lockedList(tx: Tx): Promise<ExcludedRegion[]> {
  await tx.execute(sql`lock table excluded_regions in exclusive mode`);
  return listExcludedRegions(tx);
}

async function audit(
  tx: Tx,
  actor: RegionActor,
  action: string,
  subject: string,
  before: ExcludedRegion[],
  note: string | undefined,
): Promise<ExcludedRegion[]> {
  const after = await listExcludedRegions(tx);
  const codes = (list: ExcludedRegion[]) => list.map((r) => r.code);
  const sweeps = (list: ExcludedRegion[]) => codes(list.filter((r) => r.sweepsOnly));
  // The sweeps-only lists appear once any region carries the flag, so older events read as before.
  const flagged = sweeps(before).length > 0 || sweeps(after).length > 0;
  await recordEvent(tx, {
    ...actor,
    action,
    subject,
    outcome: "ok",
    data: {
      before: codes(before),
      after: codes(after),
      ...(flagged ? { sweepsOnlyBefore: sweeps(before), sweepsOnlyAfter: sweeps(after) } : {}),
      ...(note ? { note } : {}),
    },
  });
  return after;
}

/**
 * Excludes a region (a region already excluded gets the new note and flag). Returns the new
 * list.
 */
export async function addExcludedRegion(
  db: DbOrTx,
  input: ExcludedRegionInput,
  actor: RegionActor,
): Promise<ExcludedRegion[]> {
  return db.transaction(async (tx) => {
    const before = await lockedList(tx);
    await tx
      .insert(excludedRegions)
      .values({
        code: input.code,
        note: input.note || null,
        sweepsOnly: input.sweepsOnly ?? false,
        createdBy: actor.actorId,
      })
      .onConflictDoUpdate({
        target: excludedRegions.code,
        set: { note: input.note || null, sweepsOnly: input.sweepsOnly ?? false },
      });
    return audit(tx, actor, "region_exclude", `region:${input.code}`, before, input.note);
  });
}

/** Opens a region again; the note says why. Returns the new list. */
export async function removeExcludedRegion(
  db: DbOrTx,
  input: z.infer<typeof removeRegionSchema>,
  actor: RegionActor,
): Promise<ExcludedRegion[]> {
  return db.transaction(async (tx) => {
    const before = await lockedList(tx);
    await tx.delete(excludedRegions).where(eq(excludedRegions.code, input.code));
    return audit(tx, actor, "region_include", `region:${input.code}`, before, input.note);
  });
}

/** Replaces the whole list (the API's PUT); a code listed twice keeps its last note and flag. */
export async function setExcludedRegions(
  db: DbOrTx,
  regions: ExcludedRegionInput[],
  actor: RegionActor,
): Promise<ExcludedRegion[]> {
  const wanted = new Map(
    regions.map((r) => [r.code, { note: r.note || null, sweepsOnly: r.sweepsOnly ?? false }]),
  );
  return db.transaction(async (tx) => {
    const before = await lockedList(tx);
    const codes = [...wanted.keys()];
    await tx.execute(sql`
      delete from excluded_regions where not (code = any(${sql.param(codes)}::text[]))`);
    if (codes.length > 0) {
      await tx
        .insert(excludedRegions)
        .values(codes.map((code) => ({ code, ...wanted.get(code), createdBy: actor.actorId })))
        .onConflictDoUpdate({
          target: excludedRegions.code,
          set: { note: sql`excluded.note`, sweepsOnly: sql`excluded.sweeps_only` },
        });
    }
    return audit(tx, actor, "regions_set", "excluded_regions", before, undefined);
  });
}
