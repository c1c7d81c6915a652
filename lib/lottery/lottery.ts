import "server-only";
import { and, desc, eq, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db/client";
import {
  auditEvents,
  drops,
  lotteryEntries,
  lotteryWinNotices,
  redemptions,
  users,
} from "@/db/schema";
import { linkSignals } from "@/lib/abuse/account-links";
import { listExcludedCodes } from "@/lib/abuse/regions";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { grantLotteryWins } from "@/lib/claims/claim-engine";
import { failedRule } from "@/lib/claims/eligibility";
import { type RefusalReason, refusalErrorCode, refusalMessage } from "@/lib/claims/model";
import { env } from "@/lib/config/env";
import type { AllocationMode } from "@/lib/drops/model";
import { AppError } from "@/lib/errors/app-error";
import { logError } from "@/lib/log";
import {
  entrantId,
  LOTTERY_ALGORITHM,
  type LotteryTranscript,
  rankEntrants,
  sortEntries,
} from "./draw";
import { type LotteryEntryView, type LotteryWin, tierWeights } from "./model";

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
 * The drop as an entry sees it. With `lock`, the row is held FOR SHARE to commit: the draw takes
 * it FOR UPDATE before reading the entries, so an entry either commits before the draw reads
 * them, or waits and then sees the lottery drawn.
 */
async function entryWindow(db: DbOrTx, dropId: string, lock: boolean) {
  const query = db
    .select({
      allocation: drops.allocation,
      eligibility: drops.eligibility,
      now: sql<Date>`now()`.mapWith((v: string | Date) => new Date(v)),
      started: sql<boolean>`${drops.startsAt} <= now()`,
      // A drawn lottery is closed whatever the clock of an entry that began before the end says.
      ended: sql<boolean>`${drops.endsAt} <= now() or ${drops.drawnAt} is not null`,
      paused: sql<boolean>`${drops.pausedAt} is not null`,
    })
    .from(drops)
    .where(eq(drops.id, dropId));
  const [state] = lock ? await query.for("share") : await query;
  return state;
}

function windowRefusal(state: {
  allocation: AllocationMode;
  started: boolean;
  ended: boolean;
  paused: boolean;
}): RefusalReason | "not_lottery" | undefined {
  if (state.allocation !== "lottery") return "not_lottery";
  if (!state.started) return "not_started";
  if (state.ended) return "ended";
  if (state.paused) return "paused";
  return undefined;
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
  // Read without a lock first: requests after the end are refused here and never queue on the
  // drop's row, so a crowd arriving late cannot keep the draw from taking it.
  const state = await entryWindow(db, dropId, false);
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

  const closed = windowRefusal(state);
  if (closed) return refuse(closed);
  const excludedRegions = new Set(await listExcludedCodes(db));
  const rule = failedRule(state.eligibility, player, state.now, { excludedRegions, country });
  if (rule) return refuse(`not_eligible:${rule}`);

  type Outcome =
    | { entry: LotteryEntryView; created: boolean }
    | { refused: RefusalReason | "not_lottery" };
  const outcome = await db.transaction(async (tx): Promise<Outcome> => {
    const locked = await entryWindow(tx, dropId, true);
    const late = locked ? windowRefusal(locked) : "not_found";
    if (late) return { refused: late };
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
  if ("refused" in outcome) return refuse(outcome.refused);
  return outcome;
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

/** The player's win in a drop's draw, if they won; the deadline while a shipping address is due. */
export async function findLotteryWin(
  db: DbOrTx,
  dropId: string,
  playerId: string,
): Promise<LotteryWin | undefined> {
  const [row] = await db
    .select({
      redemptionId: redemptions.id,
      status: redemptions.status,
      actionDeadline: redemptions.actionDeadline,
    })
    .from(lotteryWinNotices)
    .innerJoin(redemptions, eq(redemptions.id, lotteryWinNotices.redemptionId))
    .where(and(eq(redemptions.dropId, dropId), eq(redemptions.playerId, playerId)));
  if (!row) return undefined;
  return {
    redemptionId: row.redemptionId,
    actionDeadline:
      row.status === "awaiting_action" ? (row.actionDeadline?.toISOString() ?? null) : null,
  };
}

export type DrawReport = { dropId: string; entries: number; winners: number; skipped: number };

/**
 * Draws every lottery whose window has closed (by the database clock), paused or not: the end of
 * the window supersedes a pause, as ending early does, so no lottery waits forever for a resume
 * that an ended drop no longer accepts. Each draw is one transaction holding its drop row, taken
 * with SKIP LOCKED so that workers running side by side draw each lottery once: units are granted
 * down the ranking, passing over entrants who are refused one, until the units or the entrants
 * run out. Winners get a notice, mailed by mailWinNotices after the draw commits.
 */
export async function runDueDraws(db: Db): Promise<DrawReport[]> {
  const reports: DrawReport[] = [];
  // A draw that fails is logged and passed over for the rest of the run: the oldest lottery is
  // taken first, so one that fails every time would otherwise hold up every later one.
  const failed: string[] = [];
  for (;;) {
    let taken: string | undefined;
    try {
      const report = await db.transaction(async (tx) => {
        const [drop] = await tx
          .select({ id: drops.id, seed: drops.seed })
          .from(drops)
          .where(
            and(
              eq(drops.allocation, "lottery"),
              sql`${drops.drawnAt} is null`,
              sql`${drops.endsAt} <= now()`,
              failed.length > 0 ? notInArray(drops.id, failed) : undefined,
            ),
          )
          .orderBy(drops.endsAt)
          .limit(1)
          .for("update", { skipLocked: true });
        if (!drop) return undefined;
        taken = drop.id;
        if (!drop.seed) throw new Error(`lottery drop ${drop.id} has no seed`);
        return drawLottery(tx, drop.id, drop.seed);
      });
      if (!report) return reports;
      reports.push(report);
    } catch (error) {
      // Failing before a drop was taken is the database's trouble, not one lottery's.
      if (taken === undefined) throw error;
      logError(
        "lottery_draw_failed",
        new Error(`drawing lottery ${taken} failed`, { cause: error }),
      );
      failed.push(taken);
    }
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

  // The drop's end has passed: a physical prize's winner gets their time from the draw.
  const [deadline] = await tx.execute<{ at: Date }>(
    sql`select now() + make_interval(hours => ${env().LOTTERY_ACTION_HOURS}) as at`,
  );
  if (!deadline) throw new Error("no clock from the database");
  const actionDeadline = new Date(deadline.at);

  const winners: string[] = [];
  const won: string[] = [];
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
      { actionDeadline },
    );
    for (const [i, outcome] of outcomes.entries()) {
      const entrant = chunk[i] as string;
      if (outcome.ok) {
        winners.push(entrant);
        won.push(outcome.redemption.id);
      } else skipped.push({ entrant, reason: outcome.reason });
    }
  }
  if (won.length > 0) {
    await tx.insert(lotteryWinNotices).values(won.map((redemptionId) => ({ redemptionId })));
  }

  const [drawn] = await tx
    .update(drops)
    .set({ drawnAt: sql`now()`, pausedAt: null })
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
