import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { type CoinPackage, coinPackages, type Payment, payments } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { logWarning } from "@/lib/log";
import { checkPurchaseAllowed } from "@/lib/rg/purchase-checks";
import type { AuditContext } from "@/lib/wallet/free-coins";
import { type Posting, postTransactions } from "@/lib/wallet/journal";
import { formatCoins } from "@/lib/wallet/model";
import { formatCents, type PaymentEvent } from "./model";
import type { PaymentProvider } from "./provider";

/** The packages on sale, in their order. */
export function listCoinPackages(db: DbOrTx): Promise<CoinPackage[]> {
  return db
    .select()
    .from(coinPackages)
    .where(isNull(coinPackages.retiredAt))
    .orderBy(asc(coinPackages.position), asc(coinPackages.priceCents));
}

export type Purchase = Payment & { packageName: string };

const purchaseColumns = { payment: payments, packageName: coinPackages.name };

export async function getPlayerPurchase(
  db: DbOrTx,
  userId: string,
  paymentId: string,
): Promise<Purchase | undefined> {
  const [row] = await db
    .select(purchaseColumns)
    .from(payments)
    .innerJoin(coinPackages, eq(coinPackages.id, payments.packageId))
    .where(and(eq(payments.id, paymentId), eq(payments.userId, userId)));
  return row ? { ...row.payment, packageName: row.packageName } : undefined;
}

export type StartedPurchase = { purchase: Purchase; confirmUrl: string | null; replayed: boolean };

/**
 * Starts buying a package: checks the player's exclusions and purchase limits, writes the
 * payment (pending; the package's price and coins copied, so a later change of the package does
 * not change what was bought) and asks the provider for an intent with our payment id as its
 * reference. The provider's answer is outside the transaction: should it be lost, the same
 * Idempotency-Key asks again and the provider returns the same intent.
 */
export async function startPurchase(
  db: Db,
  provider: PaymentProvider,
  input: {
    userId: string;
    packageId: string;
    idempotencyKey: string;
    returnUrl: (paymentId: string) => string;
    now?: Date;
    context?: AuditContext;
  },
): Promise<StartedPurchase> {
  const now = input.now ?? new Date();
  const { payment, replayed } = await db.transaction(async (tx) => {
    // One purchase at a time per player: two at once cannot both fit under one limit.
    // NO KEY UPDATE, not UPDATE: rows that reference the player (a round's journal entry) take a
    // KEY SHARE lock on it while holding wallet locks, and must not wait for this one.
    const [player] = await tx.execute<{ region: string | null }>(
      sql`select region from users where id = ${input.userId} and role = 'player' for no key update`,
    );
    if (!player) throw new AppError("not_found", "No such player");
    const [earlier] = await tx
      .select()
      .from(payments)
      .where(
        and(eq(payments.userId, input.userId), eq(payments.idempotencyKey, input.idempotencyKey)),
      );
    if (earlier) {
      if (earlier.packageId !== input.packageId) {
        throw new AppError("idempotency_mismatch", "This key was used to buy another package");
      }
      return { payment: earlier, replayed: true };
    }
    const [pack] = await tx
      .select()
      .from(coinPackages)
      .where(and(eq(coinPackages.id, input.packageId), isNull(coinPackages.retiredAt)));
    if (!pack) throw new AppError("not_found", "No such coin package");
    await checkPurchaseAllowed(tx, input.userId, pack.priceCents, now);
    const [created] = await tx
      .insert(payments)
      .values({
        userId: input.userId,
        packageId: pack.id,
        idempotencyKey: input.idempotencyKey,
        amountCents: pack.priceCents,
        gc: pack.gc,
        bonusSc: pack.bonusSc,
        provider: provider.name,
        region: player.region,
        createdAt: now,
      })
      .returning();
    if (!created) throw new Error("payment not written");
    await recordEvent(tx, {
      actorId: input.userId,
      action: "wallet.purchase_started",
      subject: created.id,
      outcome: "ok",
      data: { package: pack.name, amount: formatCents(pack.priceCents), currency: "USD" },
      ...input.context,
    });
    return { payment: created, replayed: false };
  });
  const purchase = await getPlayerPurchase(db, input.userId, payment.id);
  if (!purchase) throw new Error("payment vanished");
  if (payment.status !== "pending") return { purchase, confirmUrl: null, replayed };
  const intent = await provider.createIntent({
    reference: payment.id,
    amountCents: payment.amountCents,
    description: `Prizeledger: ${purchase.packageName}`,
    returnUrl: input.returnUrl(payment.id),
  });
  await db
    .update(payments)
    .set({ providerRef: intent.providerRef })
    .where(and(eq(payments.id, payment.id), isNull(payments.providerRef)));
  return {
    purchase: { ...purchase, providerRef: intent.providerRef },
    confirmUrl: intent.confirmUrl,
    replayed,
  };
}

/** The journal transaction of a paid package: GC sold, and its free SC to play through. */
function purchasePostings(payment: Payment): Posting[] {
  const postings: Posting[] = [
    { account: { player: payment.userId, currency: "GC" }, amount: payment.gc },
    { account: { system: "purchases", currency: "GC" }, amount: -payment.gc },
  ];
  if (payment.bonusSc > 0) {
    postings.push(
      {
        account: { player: payment.userId, currency: "SC" },
        amount: payment.bonusSc,
        playthrough: payment.bonusSc,
      },
      { account: { system: "promotions", currency: "SC" }, amount: -payment.bonusSc },
    );
  }
  return postings;
}

export type PaymentOutcome = "credited" | "failed" | "ignored";

/**
 * Applies a provider's confirmed event. Only a pending payment moves, once: a duplicate, a late
 * event after the other outcome, or an event about a payment we do not know changes nothing, and
 * a failure credits nothing. The credit and the status change commit together.
 */
export async function completePayment(
  db: Db,
  provider: PaymentProvider,
  event: PaymentEvent,
  now = new Date(),
): Promise<PaymentOutcome> {
  return db.transaction(async (tx) => {
    const [payment] = await tx
      .select()
      .from(payments)
      .where(and(eq(payments.id, event.reference), eq(payments.provider, provider.name)))
      .for("update");
    const ignore = (why: string): PaymentOutcome => {
      logWarning("payment_event_ignored", {
        eventId: event.eventId,
        reference: event.reference,
        why,
      });
      return "ignored";
    };
    if (!payment) return ignore("no such payment");
    if (payment.providerRef !== null && payment.providerRef !== event.providerRef) {
      return ignore("another intent");
    }
    if (payment.status !== "pending") return "ignored";
    const succeeded = event.outcome === "succeeded" && event.amountCents === payment.amountCents;
    const failureReason = succeeded
      ? null
      : event.outcome === "succeeded"
        ? `amount mismatch: ${event.amountCents} cents confirmed for ${payment.amountCents}`
        : (event.failureReason ?? "declined");
    if (succeeded) {
      await postTransactions(tx, [
        {
          kind: "purchase",
          idempotencyKey: `payment:${payment.id}`,
          userId: payment.userId,
          region: payment.region,
          subjectId: payment.id,
          postings: purchasePostings(payment),
        },
      ]);
    }
    await tx
      .update(payments)
      .set({
        status: succeeded ? "succeeded" : "failed",
        providerRef: event.providerRef,
        failureReason,
        completedAt: now,
      })
      .where(eq(payments.id, payment.id));
    await recordEvent(tx, {
      actorId: null,
      action: succeeded ? "wallet.purchase" : "wallet.purchase_failed",
      subject: payment.id,
      outcome: succeeded ? "ok" : "failed",
      reason: failureReason,
      data: {
        userId: payment.userId,
        amount: formatCents(payment.amountCents),
        gc: formatCoins(payment.gc),
        bonusSc: formatCoins(payment.bonusSc),
        eventId: event.eventId,
      },
    });
    return succeeded ? "credited" : "failed";
  });
}
