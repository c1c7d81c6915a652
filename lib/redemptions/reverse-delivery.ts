import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { notify } from "@/db/notify";
import { recordEvent } from "@/lib/audit/record-event";
import { recordDeliveryStep } from "@/lib/delivery/deliveries";
import { type CancelOutcome, DeliveryError, type DeliveryProvider } from "@/lib/delivery/model";
import { enqueueJobs } from "@/lib/jobs/outbox";
import type { JobOutcome } from "@/lib/jobs/queue";
import { QUEUES } from "@/lib/jobs/queue";
import type { Log } from "@/lib/log";
import type { PrizeRecovery } from "./model";
import { returnUnit } from "./reverse-redemption";

/** A job of the `delivery` queue: cancel a reversed redemption's gift card at its provider. */
export type PrizeCancelJob = { redemptionId: string; action: "cancel" };

export type PrizeCancelDeps = {
  db: Db;
  log: Log;
  giftCards: DeliveryProvider | null;
  signal?: AbortSignal;
};

/**
 * Cancels a reversed redemption's gift card at the provider, with the delivery queue's retries.
 * Cancelled (or never placed, or failed: nothing usable went out): the delivery is cancelled, with
 * its entry in the log, and the unit goes back to the drop. Redeemed before we asked: the card is
 * gone, the unit stays consumed. Either is recorded once for the admin (audit) and the player
 * (the redemption's `reversal.prize`), however often the job runs: the provider's cancel is
 * idempotent, and the redemption's row lock orders two jobs. When the retries are spent the
 * redemption stays `cancelling` and the job lies dead on /admin/jobs, where an admin retries it.
 */
export async function runPrizeCancelJob(
  deps: PrizeCancelDeps,
  job: PrizeCancelJob,
  retryCount: number,
): Promise<JobOutcome> {
  const [row] = await deps.db.execute<{ prize_recovery: PrizeRecovery | null }>(sql`
    select prize_recovery from redemptions where id = ${job.redemptionId} and status = 'reversed'`);
  // `recovered` too: a card placed by a delivery job still in flight at the reversal is cancelled
  // after the unit came back (requestLateCancel); the player never saw it.
  if (row?.prize_recovery !== "cancelling" && row?.prize_recovery !== "recovered") {
    return "completed";
  }
  let outcome: CancelOutcome;
  try {
    if (!deps.giftCards) {
      throw new DeliveryError("provider_unavailable", "No gift-card provider is configured");
    }
    outcome = await deps.giftCards.cancel(job.redemptionId, { signal: deps.signal });
  } catch (error) {
    if (!(error instanceof DeliveryError)) throw error;
    const spent = retryCount >= QUEUES.delivery.retryLimit;
    if (error.retryable && !spent) return "retry";
    deps.log.error("prize_cancel_failed", error, { redemptionId: job.redemptionId });
    await recordEvent(deps.db, {
      action: "redemption_prize_cancel",
      subject: `redemption:${job.redemptionId}`,
      outcome: "failed",
      reason: error.message.slice(0, 500),
      data: { code: error.code, retriesSpent: spent },
    });
    return "dead";
  }
  await recordCancelOutcome(deps, job.redemptionId, outcome);
  return "completed";
}

async function recordCancelOutcome(
  { db, log }: PrizeCancelDeps,
  redemptionId: string,
  outcome: CancelOutcome,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [current] = await tx.execute<{
      prize_recovery: PrizeRecovery;
      unit_id: number;
      drop_id: string;
      player_id: string;
    }>(sql`
      select prize_recovery, unit_id, drop_id, player_id from redemptions
      where id = ${redemptionId} for update`);
    if (!current) return;
    const reference = outcome.order?.reference ?? null;
    if (outcome.status === "cancelled") {
      await recordDeliveryStep(tx, redemptionId, {
        status: "cancelled",
        reference,
        providerVersion: outcome.order?.version,
      });
    }
    if (current.prize_recovery !== "cancelling") {
      // A card placed after the reversal, never shown to the player, yet spent: an operator must
      // hear of it, the unit having come back already.
      if (outcome.status === "not_cancellable") {
        log.error(
          "late_card_redeemed",
          new Error("A card issued after its reversal was redeemed"),
          {
            redemptionId,
            reference: outcome.order.reference,
          },
        );
      }
      return;
    }
    const recovery: PrizeRecovery = outcome.status === "cancelled" ? "recovered" : "lost";
    await tx.execute(sql`
      update redemptions set prize_recovery = ${recovery}
      where id = ${redemptionId}`);
    if (recovery === "recovered") await returnUnit(tx, Number(current.unit_id));
    await recordEvent(tx, {
      action: "redemption_prize_cancel",
      subject: `redemption:${redemptionId}`,
      outcome: "ok",
      data: {
        before: { prize: "cancelling" },
        after: { prize: recovery },
        reference,
        providerStatus: outcome.order?.status ?? null,
        unitId: Number(current.unit_id),
      },
    });
    await notify(tx, "delivery", current.player_id);
    await notify(tx, "analytics", current.drop_id);
  });
}

/**
 * A delivery job whose order reached the provider after the redemption was reversed (its step was
 * refused: the delivery is cancelled) asks for the card to be cancelled too, or it would stay
 * issued, paid for and unseen.
 */
export async function requestLateCancel(db: Db, redemptionId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.execute<{ status: string }>(sql`
      select status from redemptions where id = ${redemptionId} for share`);
    if (row?.status !== "reversed") return;
    const job: PrizeCancelJob = { redemptionId, action: "cancel" };
    await enqueueJobs(tx, [{ queue: "delivery", data: job }]);
  });
}
