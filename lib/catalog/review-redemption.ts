import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { decodeRedemptionLeaf, encodeLeaf } from "@/lib/ledger/leaf";
import { notifyDeliveriesCancelled } from "@/lib/notifications/notifications";
import type { PrizeKind } from "@/lib/prizes/model";
import type { RedemptionStatus } from "@/lib/redemptions/model";
import { lockPlayerAccounts, postTransactions } from "@/lib/wallet/journal";
import { formatCoins } from "@/lib/wallet/model";
import { type PendingApproval, type Review, rejectionSchema } from "./model";

export type Reviewer = { adminId: string; tokenId?: string | null } & RequestContext;

/** The redemptions waiting for approval, oldest first (at most 500: the queue is worked down). */
export async function listPendingApprovals(db: Db): Promise<PendingApproval[]> {
  const rows = await db.execute<{
    id: string;
    created_at: string;
    player_id: string;
    email: string;
    catalog_item_id: string;
    round_id: string | null;
    prize_id: string;
    name: string;
    kind: PrizeKind;
    price_sc: string;
  }>(sql`
    select r.id, r.created_at, r.player_id, u.email, r.catalog_item_id, r.round_id,
           p.id as prize_id, p.name,
           p.kind, r.price_sc
    from redemptions r join users u on u.id = r.player_id join prizes p on p.id = r.prize_id
    where r.status = 'pending_approval'
    order by r.created_at, r.id
    limit 500`);
  return rows.map((r) => ({
    id: r.id,
    requestedAt: new Date(r.created_at).toISOString(),
    player: { id: r.player_id, email: r.email },
    catalogItemId: r.catalog_item_id,
    roundId: r.round_id,
    prize: { id: r.prize_id, name: r.name, kind: r.kind },
    price: formatCoins(Number(r.price_sc)),
  }));
}

type Held = {
  player_id: string;
  status: RedemptionStatus;
  catalog_item_id: string | null;
  round_id: string | null;
  price_sc: string | null;
  region: string | null;
  prize_kind: PrizeKind;
};

/**
 * Locks what a review changes, in the journal's order: the player's SC account, then the
 * redemption row. The status is read under the row lock, so of two admins (or two clicks)
 * reviewing at once, the second finds it reviewed and changes nothing.
 */
async function lockHeld(tx: Tx, redemptionId: string): Promise<Held> {
  if (!z.uuid().safeParse(redemptionId).success) {
    throw new AppError("not_found", "No such redemption");
  }
  const [owner] = await tx.execute<{ player_id: string }>(sql`
    select player_id from redemptions where id = ${redemptionId}`);
  if (!owner) throw new AppError("not_found", "No such redemption");
  await lockPlayerAccounts(tx, [owner.player_id], "SC");
  const [held] = await tx.execute<Held>(sql`
    select r.player_id, r.status, r.catalog_item_id, r.round_id, r.price_sc, r.region,
           p.kind as prize_kind
    from redemptions r join prizes p on p.id = r.prize_id
    where r.id = ${redemptionId}
    for update of r`);
  if (!held || held.catalog_item_id === null) {
    throw new AppError("not_found", "No such redemption in the approval queue");
  }
  if (held.status === "held") {
    // Its player has not declared an identity or verified an email: nothing to review yet.
    throw new AppError(
      "not_found",
      "This prize is held until its player declares an identity and verifies an email: it is not in the approval queue",
    );
  }
  if (held.status !== "pending_approval") {
    throw new AppError("already_reviewed", `This redemption was reviewed already (${held.status})`);
  }
  return held;
}

/** Approves a held redemption: its code is shown to the player from now on. Audited. */
export async function approveRedemption(
  db: Db,
  redemptionId: string,
  reviewer: Reviewer,
  now: Date,
): Promise<Review> {
  return db.transaction(async (tx) => {
    const held = await lockHeld(tx, redemptionId);
    // A physical prize still needs the player's address, as one from a drop does.
    const status = held.prize_kind === "physical" ? "awaiting_action" : "fulfilled";
    await tx.execute(sql`
      update redemptions
      set status = ${status}::redemption_status, reviewed_at = ${now.toISOString()}::timestamptz,
          reviewed_by = ${reviewer.adminId}
      where id = ${redemptionId}`);
    await recordEvent(tx, {
      ...reviewer,
      actorId: reviewer.adminId,
      action: "redemption_approve",
      subject: `redemption:${redemptionId}`,
      outcome: "ok",
      data: {
        before: { status: held.status, reviewedAt: null },
        after: { status, reviewedAt: now.toISOString() },
        playerId: held.player_id,
        priceSc: formatCoins(Number(held.price_sc)),
      },
    });
    return { redemptionId, status, reviewedAt: now.toISOString(), refundedSc: "0.00" };
  });
}

/**
 * Rejects a held redemption, undoing it exactly once: the SC go back (journal key
 * `refund:<redemptionId>`), the unit goes back to the item's stock, a gift card's code (never
 * shown to anyone) goes back to its pool, and a reversal entry joins the redemption's in the
 * public log, so the log shows the prize was not given. A round's prize cost no SC: the player
 * gets the prize tier's coin value instead (stake × its multiplier, from the house), what the
 * paytable pays when no prize can be given. Audited.
 */
export async function rejectRedemption(
  db: Db,
  redemptionId: string,
  reason: string,
  reviewer: Reviewer,
  now: Date,
): Promise<Review> {
  const why = rejectionSchema.parse({ reason }).reason;
  return db.transaction(async (tx) => {
    const held = await lockHeld(tx, redemptionId);
    const refund = held.round_id
      ? await prizeTierCoins(tx, held.round_id)
      : { amount: Number(held.price_sc), from: "prize_liability" as const };
    await tx.execute(sql`
      update redemptions
      set status = 'rejected', reviewed_at = ${now.toISOString()}::timestamptz,
          reviewed_by = ${reviewer.adminId}, rejection_reason = ${why}
      where id = ${redemptionId}`);
    await tx.execute(sql`
      update catalog_items set stock = stock + 1 where id = ${held.catalog_item_id}`);
    await tx.execute(sql`
      update gift_codes set redemption_id = null where redemption_id = ${redemptionId}`);
    const key = `refund:${redemptionId}`;
    const written = await postTransactions(tx, [
      {
        kind: held.round_id ? "round_prize_coins" : "redemption_refund",
        idempotencyKey: key,
        userId: held.player_id,
        region: held.region,
        actorId: reviewer.adminId,
        reason: why,
        subjectId: redemptionId,
        postings: [
          { account: { player: held.player_id, currency: "SC" }, amount: refund.amount },
          { account: { system: refund.from, currency: "SC" }, amount: -refund.amount },
        ],
      },
    ]);
    if (!written.has(key)) throw new Error(`redemption ${redemptionId} was refunded already`);
    await logReversal(tx, redemptionId, now);
    await recordEvent(tx, {
      ...reviewer,
      actorId: reviewer.adminId,
      action: "redemption_reject",
      subject: `redemption:${redemptionId}`,
      outcome: "ok",
      reason: why,
      data: {
        before: { status: held.status, reviewedAt: null, reason: null },
        after: { status: "rejected", reviewedAt: now.toISOString(), reason: why },
        playerId: held.player_id,
        refundedSc: formatCoins(refund.amount),
      },
    });
    await notifyDeliveriesCancelled(tx, "rejected", [
      { redemptionId, refundedMinor: refund.amount },
    ]);
    await notify(tx, "ledger_entries");
    return {
      redemptionId,
      status: "rejected",
      reviewedAt: now.toISOString(),
      refundedSc: formatCoins(refund.amount),
    };
  });
}

/** What a round's prize tier pays in coins when no prize is given: the stake × its multiple. */
async function prizeTierCoins(tx: Tx, roundId: string): Promise<{ amount: number; from: "house" }> {
  const [round] = await tx.execute<{ amount: string }>(sql`
    select stake * (outcome ->> 'multiplier')::bigint as amount from game_rounds
    where id = ${roundId} and currency = 'SC'`);
  if (!round) throw new Error(`round ${roundId} of a prize is missing`);
  return { amount: Number(round.amount), from: "house" };
}

/** A reversal leaf repeating the redemption's, as an admin's reversal of a claim writes one. */
async function logReversal(tx: Tx, redemptionId: string, now: Date): Promise<void> {
  const [entry] = await tx.execute<{ leaf_data: Buffer }>(sql`
    select leaf_data from ledger_entries where redemption_id = ${redemptionId} and kind = 'redemption'`);
  if (!entry) throw new Error(`redemption ${redemptionId} has no ledger entry`);
  const original = decodeRedemptionLeaf(new Uint8Array(entry.leaf_data));
  const leaf = encodeLeaf({ ...original, kind: "reversal", timeMs: now.getTime() });
  await tx.execute(sql`
    insert into ledger_entries (kind, redemption_id, leaf_data)
    values ('reversal', ${redemptionId}, decode(${Buffer.from(leaf).toString("hex")}, 'hex'))`);
}
