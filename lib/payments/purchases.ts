import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx, Tx } from "@/db/client";
import { type CoinPackage, coinPackages, type Payment, payments } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { logWarning } from "@/lib/log";
import { checkPurchaseAllowed, purchaseLimitPassedBy } from "@/lib/rg/purchase-checks";
import { toStorableText } from "@/lib/validation/storable-text";
import { type AuditContext, readSweepsStanding } from "@/lib/wallet/free-coins";
import { type Posting, postTransactions } from "@/lib/wallet/journal";
import { formatCoins } from "@/lib/wallet/model";
import { formatCents, PAYMENT_CURRENCY, type PaymentEvent } from "./model";
import { assertConfirmUrl, type PaymentProvider } from "./provider";

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
 * Idempotency-Key asks again and the provider returns the same intent. The player's payments
 * left pending longer than `pendingTtlMinutes` are expired first, so that they stop counting
 * against the purchase limits.
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
    pendingTtlMinutes?: number;
    context?: AuditContext;
  },
): Promise<StartedPurchase> {
  const now = input.now ?? new Date();
  const ttlMinutes = input.pendingTtlMinutes ?? env().PAYMENT_PENDING_TTL_MINUTES;
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
    await expireStalePayments(tx, input.userId, now, ttlMinutes);
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
    currency: PAYMENT_CURRENCY,
    description: `Prizeledger: ${purchase.packageName}`,
    returnUrl: input.returnUrl(payment.id),
  });
  const confirmUrl = assertConfirmUrl(provider, intent.confirmUrl);
  await db
    .update(payments)
    .set({ providerRef: intent.providerRef })
    .where(and(eq(payments.id, payment.id), isNull(payments.providerRef)));
  return {
    purchase: { ...purchase, providerRef: intent.providerRef },
    confirmUrl,
    replayed,
  };
}

/**
 * Marks the player's payments pending since before `now - ttlMinutes` expired, each audited. Run
 * with the player's row locked; a webhook that holds a payment's lock finishes first, and one
 * that comes later is handled as for any expired payment (completePayment).
 */
async function expireStalePayments(
  tx: Tx,
  userId: string,
  now: Date,
  ttlMinutes: number,
): Promise<void> {
  const expired = await tx.execute<{ id: string; amount_cents: string }>(sql`
    update payments set status = 'expired', completed_at = ${now.toISOString()}::timestamptz,
      failure_reason = ${`not paid within ${ttlMinutes} minutes`}
    where user_id = ${userId} and status = 'pending'
      and created_at <= ${now.toISOString()}::timestamptz - make_interval(mins => ${ttlMinutes})
    returning id, amount_cents`);
  for (const row of expired) {
    await recordEvent(tx, {
      actorId: null,
      action: "wallet.purchase_expired",
      subject: row.id,
      outcome: "failed",
      reason: `not paid within ${ttlMinutes} minutes`,
      data: { userId, amount: formatCents(Number(row.amount_cents)), currency: PAYMENT_CURRENCY },
    });
  }
}

/**
 * The journal transaction of a paid package: GC sold, and its free SC to play through when the
 * player's region is open to Sweeps Coins.
 */
export function purchasePostings(payment: Payment, withBonus: boolean): Posting[] {
  const postings: Posting[] = [
    { account: { player: payment.userId, currency: "GC" }, amount: payment.gc },
    { account: { system: "purchases", currency: "GC" }, amount: -payment.gc },
  ];
  if (withBonus && payment.bonusSc > 0) {
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

export const BONUS_WITHHELD_REASON =
  "Free SC not credited: Sweeps Coins are not open in the region";

export type PaymentOutcome = "credited" | "failed" | "needs_review" | "ignored";

/** At most 10 characters of a currency as sent, cut between characters, not inside one. */
const currencyAsSent = (currency: string) => Array.from(currency).slice(0, 10).join("");

/** Why a success cannot be credited as it stands: another amount or currency than ordered. */
function mismatchOf(payment: Payment, event: PaymentEvent): string | null {
  const currency = event.currency.toUpperCase();
  if (event.amountCents === payment.amountCents && currency === PAYMENT_CURRENCY) return null;
  return `the processor confirmed ${formatCents(event.amountCents)} ${currencyAsSent(currency)} for ${formatCents(payment.amountCents)} ${PAYMENT_CURRENCY}`;
}

/**
 * The event with its texts made storable. A processor's signed event is its word that money
 * moved: a NUL character in one of its texts must not fail the write, and so the webhook on
 * every retry, forever (nor is refusing it right: a success refused is money taken and never
 * credited). U+FFFD stands in for it, in what is compared as in what is stored, so that a retry
 * of the same event matches what its first delivery stored.
 */
function storableEvent(event: PaymentEvent): PaymentEvent {
  return {
    ...event,
    eventId: toStorableText(event.eventId),
    providerRef: toStorableText(event.providerRef),
    currency: toStorableText(event.currency),
    ...(event.failureReason === undefined
      ? {}
      : { failureReason: toStorableText(event.failureReason) }),
  };
}

/**
 * Applies a provider's confirmed event, by the state machine of docs/wallet.md:
 * - a success for the payment's amount and currency credits it once, from pending, and also
 *   from failed or expired: the processor says the money was taken, so the player gets the coins,
 *   unless crediting it late would pass one of the player's purchase limits (needs_review);
 * - a success for another amount or currency credits nothing and puts the payment in
 *   needs_review, audited and listed on /admin/wallet;
 * - a failure fails a pending or expired payment;
 * - anything else (a duplicate, a failure after a success, an event after needs_review or
 *   refunded, an event about a payment we do not know) is answered and changes nothing.
 * The credit and the status change commit together. An admin resolves a payment under review
 * (review-payment.ts).
 */
export async function completePayment(
  db: Db,
  provider: PaymentProvider,
  received: PaymentEvent,
  now = new Date(),
): Promise<PaymentOutcome> {
  const event = storableEvent(received);
  if (!z.uuid().safeParse(event.reference).success) {
    // Not one of our payment ids (a provider's own parser may not check): about no payment.
    logWarning("payment_event_ignored", { eventId: event.eventId, why: "not a payment id" });
    return "ignored";
  }
  return db.transaction(async (tx) => {
    const ofPayment = and(eq(payments.id, event.reference), eq(payments.provider, provider.name));
    // The player's row first, then the payment's, as startPurchase takes them (its expiry
    // updates payments): the other order could deadlock with it. The player's lock also queues
    // two late successes, each checked against the limits with the other counted.
    const [owner] = await tx.select({ userId: payments.userId }).from(payments).where(ofPayment);
    if (owner) {
      await tx.execute(sql`select 1 from users where id = ${owner.userId} for no key update`);
    }
    const [payment] = await tx.select().from(payments).where(ofPayment).for("update");
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
    const settle = async (
      status: "succeeded" | "failed" | "needs_review",
      change: Partial<Payment>,
      audit: { action: string; reason: string | null; data?: Record<string, unknown> },
    ) => {
      await tx
        .update(payments)
        .set({ status, providerRef: event.providerRef, completedAt: now, ...change })
        .where(eq(payments.id, payment.id));
      await recordEvent(tx, {
        actorId: null,
        action: audit.action,
        subject: payment.id,
        outcome: status === "succeeded" ? "ok" : "failed",
        reason: audit.reason,
        data: {
          userId: payment.userId,
          amount: formatCents(payment.amountCents),
          gc: formatCoins(payment.gc),
          bonusSc: formatCoins(payment.bonusSc),
          eventId: event.eventId,
          ...(payment.status === "pending" ? {} : { was: payment.status }),
          ...audit.data,
        },
      });
    };

    if (event.outcome === "failed") {
      if (payment.status !== "pending" && payment.status !== "expired") {
        return payment.status === "failed"
          ? "ignored"
          : ignore(`a failure after ${payment.status}`);
      }
      const reason = event.failureReason ?? "declined";
      await settle(
        "failed",
        { failureReason: reason },
        { action: "wallet.purchase_failed", reason },
      );
      return "failed";
    }

    if (payment.status === "succeeded") return "ignored";
    if (payment.status === "needs_review" || payment.status === "refunded") {
      return ignore(`a success after ${payment.status}`);
    }
    // A failed or expired payment stopped counting against the purchase limits, and others may
    // have been let in since: paid late past a limit, it waits for an admin (credit or refund).
    const heldBack =
      mismatchOf(payment, event) ??
      (payment.status === "pending" ? null : await purchaseLimitPassedBy(tx, payment, now));
    if (heldBack) {
      logWarning("payment_needs_review", {
        paymentId: payment.id,
        eventId: event.eventId,
        mismatch: heldBack,
      });
      await settle(
        "needs_review",
        { failureReason: heldBack },
        {
          action: "wallet.purchase_needs_review",
          reason: heldBack,
          data: {
            confirmed: formatCents(event.amountCents),
            currency: currencyAsSent(event.currency),
          },
        },
      );
      return "needs_review";
    }
    const { sweepsOpen } = await readSweepsStanding(tx, payment.userId, { lock: false });
    const withheld = !sweepsOpen && payment.bonusSc > 0;
    await postTransactions(tx, [
      {
        kind: "purchase",
        idempotencyKey: `payment:${payment.id}`,
        userId: payment.userId,
        region: payment.region,
        subjectId: payment.id,
        reason: withheld ? BONUS_WITHHELD_REASON : null,
        postings: purchasePostings(payment, sweepsOpen),
      },
    ]);
    await settle(
      "succeeded",
      { failureReason: null, bonusWithheld: withheld },
      {
        action: "wallet.purchase",
        reason: withheld ? BONUS_WITHHELD_REASON : null,
        data: { bonusScCredited: formatCoins(withheld ? 0 : payment.bonusSc) },
      },
    );
    return "credited";
  });
}
