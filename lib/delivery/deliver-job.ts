import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executePrepared } from "@/db/prepared";
import type { JobOutcome } from "@/lib/jobs/queue";
import { QUEUES } from "@/lib/jobs/queue";
import type { Log } from "@/lib/log";
import { notifyNextSteps } from "@/lib/notifications/notifications";
import type { PayoutOutcome } from "@/lib/payouts/model";
import { tokenBaseUnits } from "@/lib/payouts/model";
import { requestTokenPayout } from "@/lib/payouts/request-payout";
import { requestLateCancel } from "@/lib/redemptions/reverse-delivery";
import { recordDeliveryStep } from "./deliveries";
import {
  DeliveryError,
  type DeliveryProvider,
  type DeliveryProviderName,
  type DeliveryStatus,
  type ProviderOrderState,
  type SubmitOutcome,
} from "./model";

export type DeliveryJob = { redemptionId: string };

export type DeliveryDeps = {
  db: Db;
  log: Log;
  /** The gift-card provider; without one, gift-card deliveries fail (and are retried). */
  giftCards: DeliveryProvider | null;
  signal?: AbortSignal;
};

type Row = {
  status: DeliveryStatus;
  provider: DeliveryProviderName;
  redemption_status: string;
  player_id: string;
  token_amount: string | null;
  player_email: string;
  player_name: string;
  value_cents: string;
  provider_product: string | null;
  pool_code_id: string | null;
};

/**
 * One try at delivering a redemption's prize. Safe to run any number of times, by any number of
 * workers: a delivery already settled is left alone, and the gift-card provider takes our
 * redemption id as its idempotency key, so a second submit finds the first order.
 *
 * - `pool`: the code was given at the claim; the delivery is recorded (and logged) as done.
 * - `giftcard`: an order at the provider; delivered at once, or submitted, in which case the job
 *   comes back (the queue's backoff) to look the order up until a webhook or a lookup settles it.
 * - `token`: the payout is requested (recorded for the payout engine, lib/payouts/); it waits for
 *   the player's wallet link if there is none, and its outcomes come back through
 *   `recordPayoutOutcome`.
 * - `shipping`: an admin's steps (lib/delivery/shipment.ts), nothing to do here.
 *
 * A retryable failure is recorded (`failed`) and the job retried; once its retries are spent, or
 * on a failure no retry can mend, the delivery is dead and the job goes to the dead letters.
 */
export async function runDeliveryJob(
  deps: DeliveryDeps,
  job: DeliveryJob,
  retryCount: number,
): Promise<JobOutcome> {
  try {
    return await attemptDelivery(deps, job, retryCount);
  } catch (error) {
    // Anything else thrown is retried by the queue (the worker logs it). On the last try the job
    // goes to the dead letters: the delivery must be dead with it, where an admin sees it, not
    // left pending or submitted with no job to move it.
    if (retryCount < QUEUES.delivery.retryLimit) throw error;
    deps.log.error("delivery_dead_after_error", error, { redemptionId: job.redemptionId });
    await deps.db.transaction((tx) =>
      recordDeliveryStep(tx, job.redemptionId, {
        status: "dead",
        errorCode: "internal_error",
        error: "The delivery failed unexpectedly (retries spent): see the worker's log",
      }),
    );
    return "dead";
  }
}

async function attemptDelivery(
  deps: DeliveryDeps,
  job: DeliveryJob,
  retryCount: number,
): Promise<JobOutcome> {
  const { db } = deps;
  const rows = await executePrepared<Row>(
    db,
    sql`
    select d.status, d.provider, r.status as redemption_status, r.player_id, p.token_amount::text,
           u.email as player_email,
           u.display_name as player_name, p.value_cents, p.provider_product,
           (select g.id::text from gift_codes g where g.redemption_id = r.id limit 1) as pool_code_id
    from deliveries d
    join redemptions r on r.id = d.redemption_id
    join prizes p on p.id = r.prize_id
    join users u on u.id = r.player_id
    where d.redemption_id = ${job.redemptionId}`,
  );
  const row = rows[0];
  if (!row) return "completed";
  if (!["pending", "failed", "submitted"].includes(row.status)) return "completed";
  if (row.provider === "pool") {
    await db.transaction((tx) =>
      recordDeliveryStep(tx, job.redemptionId, {
        status: "delivered",
        reference: row.pool_code_id ? `pool:${row.pool_code_id}` : null,
      }),
    );
    return "completed";
  }
  if (row.provider === "token") return requestPayout(deps, job.redemptionId, row);
  if (row.provider !== "giftcard") return "completed";
  const provider = deps.giftCards;
  try {
    if (!provider) {
      throw new DeliveryError("provider_unavailable", "No gift-card provider is configured");
    }
    /** The provider's order for our id, applied; undefined when it has none. */
    const followOrder = async (): Promise<JobOutcome | undefined> => {
      const state = await provider.lookup(job.redemptionId, { signal: deps.signal });
      if (!state) return undefined;
      await applyProviderState(db, job.redemptionId, state);
      if (state.status !== "submitted") return "completed";
      return retryOrBury(deps, job, retryCount, awaitingProvider);
    };
    if (row.status === "submitted") {
      // Undefined: the provider has no order for our id, the submit never reached it. Submit again.
      const followed = await followOrder();
      if (followed) return followed;
    }
    if (!row.provider_product) {
      throw new DeliveryError("provider_rejected", "The prize names no gift-card product to order");
    }
    const order = {
      externalId: job.redemptionId,
      productId: row.provider_product,
      amountCents: Number(row.value_cents),
      currency: "USD" as const,
      recipient: { name: row.player_name, email: row.player_email },
    };
    let outcome: SubmitOutcome;
    try {
      outcome = await provider.submit(order, { signal: deps.signal });
    } catch (error) {
      // Our id holds an order made from other details (the player renamed themselves, or the
      // prize's value was edited, after a try whose answer was lost): that order is this
      // redemption's, so it is followed, never left behind as a dead delivery.
      if (!(error instanceof DeliveryError && error.code === "idempotency_conflict")) throw error;
      const followed = await followOrder();
      if (followed) return followed;
      throw error;
    }
    const recorded = await db.transaction((tx) =>
      recordDeliveryStep(
        tx,
        job.redemptionId,
        outcome.status === "delivered"
          ? { status: "delivered", reference: outcome.reference, reward: outcome.reward }
          : { status: "submitted", reference: outcome.reference },
      ),
    );
    // Refused: the redemption was reversed while the order was on its way (the reversal found
    // no order to cancel yet), so the card is cancelled now.
    if (!recorded) {
      await requestLateCancel(db, job.redemptionId);
      return "completed";
    }
    if (outcome.status === "delivered") return "completed";
    // Submitted: the webhook normally settles it; the job comes back to look it up if not.
    return retryOrBury(deps, job, retryCount, awaitingProvider);
  } catch (error) {
    if (!(error instanceof DeliveryError)) throw error;
    if (!error.retryable) {
      await db.transaction((tx) =>
        recordDeliveryStep(tx, job.redemptionId, {
          status: "dead",
          errorCode: error.code,
          error: error.message,
          reference: error.details.reference ?? null,
        }),
      );
      return "dead";
    }
    return retryOrBury(deps, job, retryCount, {
      code: error.code,
      message: error.message,
      recordFailure: true,
    });
  }
}

/**
 * An order the provider holds but has not settled: the job comes back to look it up, until its
 * retries are spent; then the delivery is dead with its job, not left submitted with no job.
 */
const awaitingProvider = {
  code: "awaiting_provider",
  message: "The provider has not confirmed the order yet",
  recordFailure: false,
};

/**
 * A provider's state of an order (from a webhook or a lookup), applied when it is newer than the
 * one known: the same path for both, so their order of arrival does not matter.
 */
export async function applyProviderState(
  db: Db,
  redemptionId: string,
  state: ProviderOrderState,
): Promise<boolean> {
  return db.transaction((tx) =>
    recordDeliveryStep(
      tx,
      redemptionId,
      state.status === "delivered"
        ? {
            status: "delivered",
            reference: state.reference,
            reward: state.reward ?? undefined,
            providerVersion: state.version,
          }
        : state.status === "cancelled"
          ? { status: "cancelled", reference: state.reference, providerVersion: state.version }
          : state.status === "failed"
            ? {
                status: "dead",
                errorCode: "order_failed",
                error: state.failureReason ?? "The provider failed the order",
                reference: state.reference,
                // Versioned like the other states: a failure sent twice is one outcome, and an
                // older "submitted" arriving after it must not bring the order back to life.
                providerVersion: state.version,
              }
            : { status: "submitted", reference: state.reference, providerVersion: state.version },
    ),
  );
}

async function retryOrBury(
  deps: DeliveryDeps,
  job: DeliveryJob,
  retryCount: number,
  failure: { code: string; message: string; recordFailure: boolean },
): Promise<JobOutcome> {
  const spent = retryCount >= QUEUES.delivery.retryLimit;
  if (spent) {
    await deps.db.transaction((tx) =>
      recordDeliveryStep(tx, job.redemptionId, {
        status: "dead",
        errorCode: failure.code,
        error: `${failure.message} (retries spent)`,
      }),
    );
    deps.log.warning("delivery_dead", { redemptionId: job.redemptionId, code: failure.code });
    return "dead";
  }
  if (failure.recordFailure) {
    await deps.db.transaction((tx) =>
      recordDeliveryStep(tx, job.redemptionId, {
        status: "failed",
        errorCode: failure.code,
        error: failure.message,
      }),
    );
  }
  return "retry";
}

/**
 * A token prize's payout, requested once (a second request finds the first). Without a linked
 * wallet the delivery waits, and the player is asked to link one.
 */
async function requestPayout(
  deps: DeliveryDeps,
  redemptionId: string,
  row: Row,
): Promise<JobOutcome> {
  if (!row.token_amount || Number(row.token_amount) <= 0) {
    await deps.db.transaction((tx) =>
      recordDeliveryStep(tx, redemptionId, {
        status: "dead",
        errorCode: "not_a_crypto_prize",
        error: "The prize names no token amount to pay",
      }),
    );
    return "dead";
  }
  await deps.db.transaction(async (tx) => {
    const { status } = await requestTokenPayout(tx, {
      redemptionId,
      playerId: row.player_id,
      amountBaseUnits: tokenBaseUnits(row.token_amount as string),
    });
    if (status === "awaiting_wallet") {
      await tx.execute(sql`
        update deliveries set status = 'waiting', updated_at = now()
        where redemption_id = ${redemptionId} and status in ('pending', 'failed')`);
      await notifyNextSteps(tx, [redemptionId]);
    }
  });
  return "completed";
}

/** What the payout engine learnt of a payout, as the delivery's step (at least once each). */
export async function recordPayoutOutcome(
  db: Db,
  redemptionId: string,
  outcome: PayoutOutcome,
): Promise<void> {
  await db.transaction((tx) =>
    recordDeliveryStep(
      tx,
      redemptionId,
      outcome.status === "failed"
        ? {
            status: "dead",
            errorCode: outcome.error?.code ?? "payout_failed",
            error: outcome.error?.message ?? "The payout failed",
            reference: outcome.reference,
          }
        : outcome.status === "submitted"
          ? {
              status: "submitted",
              reference: outcome.reference,
              txHash: outcome.txHash ?? undefined,
            }
          : {
              status: "delivered",
              reference: outcome.reference,
              txHash: outcome.txHash ?? undefined,
            },
    ),
  );
}
