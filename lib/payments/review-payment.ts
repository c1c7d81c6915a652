import "server-only";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { type Payment, payments } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { findActiveExclusion, purchaseLimitPassedBy } from "@/lib/rg/purchase-checks";
import { readSweepsStanding } from "@/lib/wallet/free-coins";
import { postTransactions } from "@/lib/wallet/journal";
import { formatCoins } from "@/lib/wallet/model";
import { formatCents, type PaymentResolutionInput, paymentResolutionSchema } from "./model";
import { BONUS_WITHHELD_REASON, purchasePostings } from "./purchases";

export type PaymentReviewer = { adminId: string; tokenId?: string | null } & RequestContext;

export type PaymentReview = {
  paymentId: string;
  status: "succeeded" | "refunded";
  reviewedAt: Date;
  gcCredited: number;
  scCredited: number;
  /** The purchase limit the credit passes, by the admin's decision; null when it fits. */
  limitPassed: string | null;
};

/** What the player's statement says of a package credited by an admin's review. */
export const CREDITED_AFTER_REVIEW = "Credited after review";

export const BONUS_EXCLUDED_REASON =
  "Free SC not credited: the player is in a cool-off or self-exclusion";

/**
 * Locks the payment as completePayment does: the player's row, then the payment's (the journal's
 * accounts come after, in postTransactions). The status is read under the row lock, so of two
 * admins (or two clicks, or an admin and a webhook) at once, the second finds it resolved.
 */
async function lockUnderReview(tx: Tx, paymentId: string): Promise<Payment> {
  if (!z.uuid().safeParse(paymentId).success) throw new AppError("not_found", "No such payment");
  const [owner] = await tx
    .select({ userId: payments.userId })
    .from(payments)
    .where(eq(payments.id, paymentId));
  if (!owner) throw new AppError("not_found", "No such payment");
  await tx.execute(sql`select 1 from users where id = ${owner.userId} for no key update`);
  const [payment] = await tx
    .select()
    .from(payments)
    .where(eq(payments.id, paymentId))
    .for("update");
  if (!payment) throw new AppError("not_found", "No such payment");
  if (payment.reviewedAt) {
    throw new AppError(
      "already_reviewed",
      `This payment was resolved already (${payment.status === "refunded" ? "refunded" : "credited"})`,
    );
  }
  if (payment.status !== "needs_review") {
    throw new AppError("not_found", `This payment is not under review (${payment.status})`);
  }
  return payment;
}

/**
 * An admin's resolution of a payment under review (needs_review), with a reason, audited with
 * before and after:
 * - `credit`: the package's GC, and its free SC when the player may have it now (region open
 *   to Sweeps Coins, no cool-off or self-exclusion), once (journal key `payment:<id>`, as the
 *   webhook's credit); the payment is then `succeeded`. Crediting past one of the player's
 *   purchase limits is allowed: the money was taken, and refunding it instead is the admin's
 *   other choice; the limit passed is named in the audit event.
 * - `refunded`: the admin refunded it at the processor; nothing is credited, and the payment no
 *   longer counts against the purchase limits.
 * A payment resolved already answers `already_reviewed`.
 */
export async function resolvePayment(
  db: Db,
  paymentId: string,
  resolution: PaymentResolutionInput,
  reviewer: PaymentReviewer,
  now: Date,
): Promise<PaymentReview> {
  const { action, reason } = paymentResolutionSchema.parse(resolution);
  return db.transaction(async (tx) => {
    const payment = await lockUnderReview(tx, paymentId);
    const reviewed = { reviewedAt: now, reviewedBy: reviewer.adminId, reviewReason: reason };
    const audit = {
      ...reviewer,
      actorId: reviewer.adminId,
      subject: payment.id,
      outcome: "ok" as const,
      reason,
    };
    const summary = {
      userId: payment.userId,
      amount: formatCents(payment.amountCents),
      heldBecause: payment.failureReason,
    };
    const before = { status: payment.status, reviewedAt: null, reviewReason: null };
    if (action === "refunded") {
      await tx
        .update(payments)
        .set({ status: "refunded", ...reviewed })
        .where(eq(payments.id, payment.id));
      await recordEvent(tx, {
        ...audit,
        action: "wallet.purchase_review_refunded",
        data: {
          ...summary,
          before,
          after: { status: "refunded", reviewedAt: now.toISOString(), reviewReason: reason },
        },
      });
      return {
        paymentId: payment.id,
        status: "refunded",
        reviewedAt: now,
        gcCredited: 0,
        scCredited: 0,
        limitPassed: null,
      };
    }

    const limitPassed = await purchaseLimitPassedBy(tx, payment, now);
    const { sweepsOpen } = await readSweepsStanding(tx, payment.userId, { lock: false });
    const exclusion = await findActiveExclusion(tx, payment.userId, now);
    const withheld =
      payment.bonusSc === 0
        ? null
        : !sweepsOpen
          ? BONUS_WITHHELD_REASON
          : exclusion
            ? BONUS_EXCLUDED_REASON
            : null;
    const key = `payment:${payment.id}`;
    const written = await postTransactions(tx, [
      {
        kind: "purchase",
        idempotencyKey: key,
        userId: payment.userId,
        region: payment.region,
        actorId: reviewer.adminId,
        subjectId: payment.id,
        reason: withheld ? `${CREDITED_AFTER_REVIEW}. ${withheld}` : CREDITED_AFTER_REVIEW,
        postings: purchasePostings(payment, withheld === null),
      },
    ]);
    const transactionId = written.get(key);
    if (!transactionId) throw new Error(`payment ${payment.id} was credited already`);
    await tx
      .update(payments)
      .set({ status: "succeeded", bonusWithheld: withheld !== null, ...reviewed })
      .where(eq(payments.id, payment.id));
    const scCredited = withheld ? 0 : payment.bonusSc;
    await recordEvent(tx, {
      ...audit,
      action: "wallet.purchase_review_credited",
      data: {
        ...summary,
        before,
        after: { status: "succeeded", reviewedAt: now.toISOString(), reviewReason: reason },
        gcCredited: formatCoins(payment.gc),
        bonusScCredited: formatCoins(scCredited),
        bonusWithheld: withheld,
        // Null when it fits; else the limit this credit passes, by the admin's explicit choice.
        passesPurchaseLimit: limitPassed,
        exclusion: exclusion ? { kind: exclusion.kind, endsAt: exclusion.endsAt } : null,
        transactionId,
      },
    });
    return {
      paymentId: payment.id,
      status: "succeeded",
      reviewedAt: now,
      gcCredited: payment.gc,
      scCredited,
      limitPassed,
    };
  });
}
