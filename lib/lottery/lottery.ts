import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db/client";
import { auditEvents, drops, lotteryEntries, redemptions, users } from "@/db/schema";
import { linkSignals } from "@/lib/abuse/account-links";
import { listExcludedCodes } from "@/lib/abuse/regions";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { grantLotteryWins } from "@/lib/claims/claim-engine";
import { failedRule, type LoyaltyTier } from "@/lib/claims/eligibility";
import { type RefusalReason, refusalErrorCode, refusalMessage } from "@/lib/claims/refusals";
import { AppError } from "@/lib/errors/app-error";
import {
  entrantId,
  LOTTERY_ALGORITHM,
  type LotteryTranscript,
  rankEntrants,
  sortEntries,
} from "./draw";

/** A player's chances scale with their loyalty tier at the moment they enter. */
export const tierWeights: Record<LoyaltyTier, number> = { bronze: 1, silver: 2, gold: 4 };

export type LotteryEntryView = {
  dropId: string;
  entrant: string;
  weight: number;
  enteredAt: string;
};

export type EnterRequest = {
  dropId: string;
  playerId: string;
  /** The request's country by GeoIP, when configured and known. */
  country?: string | null;
  /** The browser's device cookie: links accounts entering from one browser (the draw looks). */
  deviceId?: string | null;
  /** The API token the entry came with, kept in the audit trail. */
  tokenId?: string | null;
} & RequestContext;

function entryView(row: { dropId: string; playerId: string; weight: number; createdAt: Date }) {
  return {
    dropId: row.dropId,
    entrant: entrantId(row.dropId, row.playerId),
    weight: row.weight,
    enteredAt: row.createdAt.toISOString(),
  };
}

/**
 * Enters a player in a lottery drop while its window is open. Entering again answers the first
 * entry (`created: false`). A refusal throws an AppError with the claim refusals' codes and
 * messages (`not_started`, `ended`, `paused`, `not_eligible` with its rule in `details.reason`).
 */
export async function enterLottery(
  db: Db,
  request: EnterRequest,
): Promise<{ entry: LotteryEntryView; created: boolean }> {
  const { dropId, playerId, country, deviceId, ...context } = request;
  const refuse = async (reason: RefusalReason | "not_lottery"): Promise<never> => {
    await recordEvent(db, {
      actorId: playerId,
      action: "lottery_enter",
      subject: `drop:${dropId}`,
      outcome: "refused",
      reason,
      ...context,
    });
    if (reason === "not_lottery") {
      throw new AppError("bad_request", "This drop is first come, first served: claim it instead", {
        reason,
      });
    }
    throw new AppError(refusalErrorCode(reason), refusalMessage(reason), { reason });
  };

  if (!z.uuid().safeParse(dropId).success)
    throw new AppError("not_found", refusalMessage("not_found"));
  const [state] = await db
    .select({
      allocation: drops.allocation,
      eligibility: drops.eligibility,
      now: sql<Date>`now()`.mapWith((v: string | Date) => new Date(v)),
      started: sql<boolean>`${drops.startsAt} <= now()`,
      ended: sql<boolean>`${drops.endsAt} <= now()`,
      paused: sql<boolean>`${drops.pausedAt} is not null`,
    })
    .from(drops)
    .where(eq(drops.id, dropId));
  if (!state) throw new AppError("not_found", refusalMessage("not_found"));
  const [player] = await db
    .select({
      emailVerifiedAt: users.emailVerifiedAt,
      createdAt: users.createdAt,
      region: users.region,
      loyaltyTier: users.loyaltyTier,
      flaggedAt: users.flaggedAt,
      suspendedAt: users.suspendedAt,
      adultDeclaredAt: users.adultDeclaredAt,
    })
    .from(users)
    .where(eq(users.id, playerId));
  if (!player) throw new AppError("unauthenticated", "Sign in first");

  if (state.allocation !== "lottery") return refuse("not_lottery");
  if (!state.started) return refuse("not_started");
  if (state.ended) return refuse("ended");
  if (state.paused) return refuse("paused");
  const excludedRegions = new Set(await listExcludedCodes(db));
  const rule = failedRule(state.eligibility, player, state.now, { excludedRegions, country });
  if (rule) return refuse(`not_eligible:${rule}`);

  return db.transaction(async (tx) => {
    if (deviceId) await linkSignals(tx, [{ userId: playerId, kind: "device", value: deviceId }]);
    const [inserted] = await tx
      .insert(lotteryEntries)
      .values({ dropId, playerId, weight: tierWeights[player.loyaltyTier] })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      const entry = entryView(inserted);
      await recordEvent(tx, {
        actorId: playerId,
        action: "lottery_enter",
        subject: `drop:${dropId}`,
        outcome: "ok",
        data: { entrant: entry.entrant, weight: entry.weight },
        ...context,
      });
      return { entry, created: true };
    }
    const existing = await findLotteryEntry(tx, dropId, playerId);
    if (!existing) throw new Error("lottery entry vanished after a conflict");
    return { entry: existing, created: false };
  });
}

/** The player's entry in a drop's lottery, if they entered. */
export async function findLotteryEntry(
  db: DbOrTx,
  dropId: string,
  playerId: string,
): Promise<LotteryEntryView | undefined> {
  const [row] = await db
    .select()
    .from(lotteryEntries)
    .where(and(eq(lotteryEntries.dropId, dropId), eq(lotteryEntries.playerId, playerId)));
  return row ? entryView(row) : undefined;
}

export type DrawReport = { dropId: string; entries: number; winners: number; skipped: number };

/**
 * Draws every lottery whose window has closed (by the database clock) and that is not paused.
 * Each draw is one transaction holding its drop row, taken with SKIP LOCKED so that workers
 * running side by side draw each lottery once: units are granted down the ranking, passing over
 * entrants who are refused one, until the units or the entrants run out.
 */
export async function runDueDraws(db: Db): Promise<DrawReport[]> {
  const reports: DrawReport[] = [];
  for (;;) {
    const report = await db.transaction(async (tx) => {
      const [drop] = await tx
        .select({ id: drops.id, seed: drops.seed })
        .from(drops)
        .where(
          and(
            eq(drops.allocation, "lottery"),
            sql`${drops.drawnAt} is null`,
            sql`${drops.pausedAt} is null`,
            sql`${drops.endsAt} <= now()`,
          ),
        )
        .orderBy(drops.endsAt)
        .limit(1)
        .for("update", { skipLocked: true });
      if (!drop) return undefined;
      if (!drop.seed) throw new Error(`lottery drop ${drop.id} has no seed`);
      return drawLottery(tx, drop.id, drop.seed);
    });
    if (!report) return reports;
    reports.push(report);
  }
}

async function drawLottery(tx: DbOrTx, dropId: string, seed: Uint8Array): Promise<DrawReport> {
  const rows = await tx
    .select({ playerId: lotteryEntries.playerId, weight: lotteryEntries.weight })
    .from(lotteryEntries)
    .where(eq(lotteryEntries.dropId, dropId));
  const playerOf = new Map(rows.map((r) => [entrantId(dropId, r.playerId), r.playerId]));
  const ranking = rankEntrants({
    seed,
    dropId,
    entries: rows.map((r) => ({ entrant: entrantId(dropId, r.playerId), weight: r.weight })),
  });

  const winners: string[] = [];
  const skipped: Array<{ entrant: string; reason: string }> = [];
  let next = 0;
  for (;;) {
    const left = await availableUnits(tx, dropId);
    if (left === 0 || next >= ranking.length) break;
    const chunk = ranking.slice(next, next + left);
    next += chunk.length;
    // grantLotteryWins runs in a savepoint of this transaction: the draw commits as a whole.
    // A physical prize's winner has a week from the draw to give a shipping address (the drop's
    // end, the deadline of a first-come claim, has passed already).
    const outcomes = await grantLotteryWins(
      tx,
      dropId,
      chunk.map((e) => playerOf.get(e) as string),
      { actionDeadline: new Date(Date.now() + 7 * 24 * 3600 * 1000) },
    );
    for (const [i, outcome] of outcomes.entries()) {
      const entrant = chunk[i] as string;
      if (outcome.ok) winners.push(entrant);
      else skipped.push({ entrant, reason: outcome.reason });
    }
  }

  const [drawn] = await tx
    .update(drops)
    .set({ drawnAt: sql`now()` })
    .where(eq(drops.id, dropId))
    .returning({ drawnAt: drops.drawnAt });
  await recordEvent(tx, {
    action: "lottery_draw",
    subject: `drop:${dropId}`,
    outcome: "ok",
    data: {
      before: { drawnAt: null },
      after: { drawnAt: drawn?.drawnAt?.toISOString() ?? null, winners: winners.length },
      algorithm: LOTTERY_ALGORITHM,
      entries: rows.length,
      winners: winners.length,
      skipped,
    },
  });
  return { dropId, entries: rows.length, winners: winners.length, skipped: skipped.length };
}

async function availableUnits(tx: DbOrTx, dropId: string): Promise<number> {
  const [row] = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from drop_units where drop_id = ${dropId} and status = 'available'`);
  return row?.n ?? 0;
}

/**
 * The public record of a lottery: the commitment from the start, the entries (pseudonymous),
 * and once drawn the seed, the winners in ranking order and the entrants passed over.
 * Undefined for a drop that does not exist or is not a lottery.
 */
export async function lotteryTranscript(
  db: DbOrTx,
  dropId: string,
): Promise<LotteryTranscript | undefined> {
  if (!z.uuid().safeParse(dropId).success) return undefined;
  const [drop] = await db
    .select({
      id: drops.id,
      title: drops.title,
      units: drops.units,
      startsAt: drops.startsAt,
      endsAt: drops.endsAt,
      allocation: drops.allocation,
      seedHash: drops.seedHash,
      seed: drops.seed,
      drawnAt: drops.drawnAt,
    })
    .from(drops)
    .where(eq(drops.id, dropId));
  if (drop?.allocation !== "lottery" || !drop.seedHash) return undefined;
  const rows = await db
    .select({ playerId: lotteryEntries.playerId, weight: lotteryEntries.weight })
    .from(lotteryEntries)
    .where(eq(lotteryEntries.dropId, dropId));
  const entries = sortEntries(
    rows.map((r) => ({ entrant: entrantId(dropId, r.playerId), weight: r.weight })),
  );
  const base = {
    algorithm: LOTTERY_ALGORITHM,
    dropId: drop.id,
    title: drop.title,
    units: drop.units,
    startsAt: drop.startsAt.toISOString(),
    endsAt: drop.endsAt.toISOString(),
    seedHash: Buffer.from(drop.seedHash).toString("hex"),
    entries,
  } as const;
  if (!drop.drawnAt || !drop.seed) {
    return { ...base, seed: null, drawnAt: null, winners: null, skipped: null };
  }
  // The winners are whoever holds a unit of the drop (only the draw grants them), in the order
  // the draw reached them; the entrants passed over are kept in the draw's audit event.
  const ranking = rankEntrants({ seed: drop.seed, dropId, entries });
  const position = new Map(ranking.map((e, i) => [e, i]));
  const granted = await db
    .selectDistinct({ playerId: redemptions.playerId })
    .from(redemptions)
    .where(eq(redemptions.dropId, dropId));
  const winners = granted
    .map((r) => entrantId(dropId, r.playerId))
    .sort((a, b) => (position.get(a) ?? Infinity) - (position.get(b) ?? Infinity));
  const [event] = await db
    .select({ data: auditEvents.data })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "lottery_draw"), eq(auditEvents.subject, `drop:${dropId}`)))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  const skipped = (event?.data?.skipped ?? []) as Array<{ entrant: string; reason: string }>;
  return {
    ...base,
    seed: Buffer.from(drop.seed).toString("hex"),
    drawnAt: drop.drawnAt.toISOString(),
    winners,
    skipped,
  };
}
