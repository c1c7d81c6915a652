import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { drops, ledgerEntries, prizes, redemptions } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { encodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { newRedemptionCode } from "./redemption-code";

export type ClaimResult = {
  redemptionId: string;
  dropId: string;
  prizeId: string;
  code: string;
  remaining: number;
  claimedAt: Date;
};

const refusalMessages = {
  not_found: "This drop does not exist",
  not_started: "This drop has not started yet",
  ended: "This drop has ended",
  sold_out: "Sold out: every unit of this drop has been claimed",
  limit_reached: "You have already claimed a unit of this drop",
} as const;
type Refusal = keyof typeof refusalMessages;

class ClaimRefused extends Error {
  constructor(readonly reason: Refusal) {
    super(reason);
  }
}

/**
 * Claims one unit of a drop for a player in a single transaction: window check on the database
 * clock, unit taken (never below zero), redemption, ledger outbox entry and audit event. A refusal
 * rolls everything back and is then recorded on its own.
 */
export async function claimDrop(
  db: Db,
  input: { dropId: string; playerId: string } & RequestContext,
): Promise<ClaimResult> {
  const { dropId, playerId } = input;
  try {
    return await db.transaction(async (tx) => {
      const [drop] = await tx
        .select({
          prizeId: drops.prizeId,
          started: sql<boolean>`${drops.startsAt} <= now()`,
          ended: sql<boolean>`${drops.endsAt} <= now()`,
        })
        .from(drops)
        .where(eq(drops.id, dropId));
      if (!drop) throw new ClaimRefused("not_found");
      if (!drop.started) throw new ClaimRefused("not_started");
      if (drop.ended) throw new ClaimRefused("ended");

      const [already] = await tx
        .select({ id: redemptions.id })
        .from(redemptions)
        .where(and(eq(redemptions.dropId, dropId), eq(redemptions.playerId, playerId)));
      if (already) throw new ClaimRefused("limit_reached");

      // The window is checked again under the row lock so a claim cannot slip past the end time.
      const [taken] = await tx
        .update(drops)
        .set({ remaining: sql`${drops.remaining} - 1` })
        .where(
          and(
            eq(drops.id, dropId),
            sql`${drops.remaining} > 0`,
            sql`${drops.startsAt} <= now()`,
            sql`${drops.endsAt} > now()`,
          ),
        )
        .returning({ remaining: drops.remaining, now: sql<Date>`now()` });
      if (!taken) throw new ClaimRefused("sold_out");

      const [prize] = await tx
        .select({ valueCents: prizes.valueCents })
        .from(prizes)
        .where(eq(prizes.id, drop.prizeId));
      if (!prize) throw new Error(`drop ${dropId} refers to a missing prize`);

      const salt = new Uint8Array(randomBytes(32));
      const code = newRedemptionCode();
      const [redemption] = await tx
        .insert(redemptions)
        .values({ dropId, prizeId: drop.prizeId, playerId, code, playerSalt: salt })
        .onConflictDoNothing()
        .returning({ id: redemptions.id, createdAt: redemptions.createdAt });
      // A concurrent claim by the same player won the unique index: undo our unit.
      if (!redemption) throw new ClaimRefused("limit_reached");

      const leafData = encodeLeaf({
        kind: "redemption",
        entryId: redemption.id,
        prizeId: drop.prizeId,
        dropId,
        valueCents: prize.valueCents,
        timeMs: redemption.createdAt.getTime(),
        playerCommitment: playerCommitment(playerId, salt),
      });
      await tx.insert(ledgerEntries).values({
        kind: "redemption",
        redemptionId: redemption.id,
        leafData,
      });
      await recordEvent(tx, {
        ...input,
        actorId: playerId,
        action: "claim",
        subject: `drop:${dropId}`,
        outcome: "ok",
        data: { redemptionId: redemption.id, remaining: taken.remaining },
      });
      await tx.execute(sql`select pg_notify('ledger_entries', '')`);
      return {
        redemptionId: redemption.id,
        dropId,
        prizeId: drop.prizeId,
        code,
        remaining: taken.remaining,
        claimedAt: redemption.createdAt,
      };
    });
  } catch (error) {
    if (!(error instanceof ClaimRefused)) throw error;
    await recordEvent(db, {
      ...input,
      actorId: playerId,
      action: "claim",
      subject: `drop:${dropId}`,
      outcome: "refused",
      reason: error.reason,
    });
    throw new AppError(error.reason, refusalMessages[error.reason]);
  }
}
