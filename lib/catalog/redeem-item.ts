import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { notify } from "@/db/notify";
import { isScBlockedRegion } from "@/lib/abuse/regions";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { issuePrizeRedemptions } from "@/lib/redemptions/issue-prize";
import type { AnchoredReceipt, PendingReceipt, RedemptionView } from "@/lib/redemptions/model";
import { getPlayerRedemption, getReceipt } from "@/lib/redemptions/redemptions";
import { assertNotExcluded } from "@/lib/rg/restrictions";
import { lockPlayerAccounts, postTransactions } from "@/lib/wallet/journal";
import { formatCoins } from "@/lib/wallet/model";

export type CatalogRedemptionRequest = {
  playerId: string;
  itemId: string;
  /** The client's Idempotency-Key: the same key redeems once and answers the same again. */
  idempotencyKey: string;
  now: Date;
  context?: RequestContext & { tokenId?: string | null };
  /** Defaults to CATALOG_MIN_REDEMPTION_SC and CATALOG_APPROVAL_THRESHOLD_SC. */
  rules?: { minimumSc: number; approvalThresholdSc: number };
};

export type CatalogRedemptionResult = { redemptionId: string; replayed: boolean };

/** The journal key of a player's catalog redemption: one debit per player and key. */
export const redemptionKey = (playerId: string, key: string) => `redemption:${playerId}:${key}`;

/**
 * Redeems a catalog item for Sweeps Coins, in one transaction: the rules (no exclusion, SC open
 * in the player's region, email verified, identity declared, price at least the minimum, enough
 * played-through SC, stock), then one unit of stock, the prize's redemption (code, row, ledger
 * leaf) and the SC debit to the prize liability. Above the approval threshold the redemption
 * waits for an admin (pending_approval): SC and stock are taken now, the code shown on approval.
 *
 * Lock order: the player's SC account first (so two requests with one key take turns, and the
 * second finds the first's debit), then the item row, then (in issuePrizeRedemptions and
 * postTransactions) prize codes and journal shards, as the journal documents.
 */
export async function redeemCatalogItem(
  db: Db,
  request: CatalogRedemptionRequest,
): Promise<CatalogRedemptionResult> {
  const { playerId, itemId, now } = request;
  if (!z.uuid().safeParse(itemId).success) {
    throw new AppError("not_found", "This catalog item does not exist");
  }
  const rules = request.rules ?? {
    minimumSc: env().CATALOG_MIN_REDEMPTION_SC,
    approvalThresholdSc: env().CATALOG_APPROVAL_THRESHOLD_SC,
  };
  const key = redemptionKey(playerId, request.idempotencyKey);
  return db.transaction(async (tx) => {
    const account = (await lockPlayerAccounts(tx, [playerId], "SC")).get(playerId);
    if (!account) throw new Error("the player's SC account was not opened");

    const [earlier] = await tx.execute<{ subject_id: string | null; item: string | null }>(sql`
      select t.subject_id, r.catalog_item_id as item from wallet_transactions t
        left join redemptions r on r.id = t.subject_id
      where t.idempotency_key = ${key}`);
    if (earlier) {
      if (!earlier.subject_id || earlier.item !== itemId) {
        throw new AppError(
          "idempotency_mismatch",
          "This Idempotency-Key was already used for a different request",
        );
      }
      return { redemptionId: earlier.subject_id, replayed: true };
    }

    await assertNotExcluded(tx, playerId, now);
    const [player] = await tx.execute<{
      region: string | null;
      email_verified_at: string | null;
      identity_declared_at: string | null;
    }>(sql`
      select region, email_verified_at, identity_declared_at from users where id = ${playerId}`);
    if (!player) throw new AppError("not_found", "No such account");
    if (await isScBlockedRegion(tx, player.region)) {
      throw new AppError("not_eligible", "Sweeps Coins cannot be redeemed in your region", {
        reason: "not_eligible:region",
      });
    }
    if (!player.email_verified_at) {
      throw new AppError("email_unverified", "Confirm your email address before redeeming");
    }
    if (!player.identity_declared_at) {
      throw new AppError(
        "identity_required",
        "Declare your legal name, date of birth and postal address before redeeming",
      );
    }

    const [item] = await tx.execute<{
      prize_id: string;
      price_sc: string;
      stock: number;
      retired_at: string | null;
    }>(sql`
      select prize_id, price_sc, stock, retired_at from catalog_items where id = ${itemId}
      for update`);
    if (!item || item.retired_at !== null) {
      throw new AppError("not_found", "This catalog item does not exist");
    }
    const price = Number(item.price_sc);
    if (price < rules.minimumSc) {
      throw new AppError(
        "below_minimum",
        `The least a redemption may cost is ${formatCoins(rules.minimumSc)} SC`,
      );
    }
    if (item.stock <= 0) throw new AppError("out_of_stock", "This item is out of stock");
    if (account.balance < price) {
      throw new AppError(
        "insufficient_funds",
        `This item costs ${formatCoins(price)} SC; you have ${formatCoins(account.balance)} SC`,
      );
    }
    const redeemable = account.balance - account.playthroughDue;
    if (redeemable < price) {
      throw new AppError(
        "not_redeemable",
        `Only ${formatCoins(redeemable)} of your SC are redeemable: play the rest through once first`,
      );
    }

    await tx.execute(sql`update catalog_items set stock = stock - 1 where id = ${itemId}`);
    const pendingApproval = price > rules.approvalThresholdSc;
    const [issue] = await issuePrizeRedemptions(
      tx,
      [
        {
          playerId,
          prizeId: item.prize_id,
          origin: { catalogItemId: itemId, priceSc: price },
          pendingApproval,
        },
      ],
      now,
    );
    if (!issue?.ok) {
      throw new AppError("out_of_stock", "This prize has no code left to give: out of stock");
    }
    const redemption = issue.redemption;
    const written = await postTransactions(tx, [
      {
        kind: "redemption",
        idempotencyKey: key,
        userId: playerId,
        region: player.region,
        subjectId: redemption.id,
        postings: [
          { account: { player: playerId, currency: "SC" }, amount: -price },
          { account: { system: "prize_liability", currency: "SC" }, amount: price },
        ],
      },
    ]);
    // The player's account lock makes a second writer of this key impossible: if the journal
    // still skipped it, the redemption would be free, so nothing of it may stay.
    if (!written.has(key)) throw new Error(`redemption key ${key} was already in the journal`);
    await recordEvent(tx, {
      ...request.context,
      actorId: playerId,
      action: "catalog_redeem",
      subject: `redemption:${redemption.id}`,
      outcome: "ok",
      data: {
        catalogItemId: itemId,
        prizeId: item.prize_id,
        priceSc: formatCoins(price),
        status: redemption.status,
        balanceAfter: formatCoins(account.balance - price),
      },
    });
    await notify(tx, "ledger_entries");
    return { redemptionId: redemption.id, replayed: false };
  });
}

/** What the redeeming player is answered (first time or replay): the redemption and its receipt. */
export async function describeCatalogRedemption(
  db: Db,
  playerId: string,
  redemptionId: string,
): Promise<{ redemption: RedemptionView; receipt: PendingReceipt | AnchoredReceipt }> {
  const [redemption, receipt] = await Promise.all([
    getPlayerRedemption(db, playerId, redemptionId),
    getReceipt(db, playerId, redemptionId),
  ]);
  if (!redemption || !receipt) throw new Error(`redemption ${redemptionId} vanished`);
  return { redemption, receipt };
}
