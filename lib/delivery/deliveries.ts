import "server-only";
import { sha256 } from "@noble/hashes/sha2";
import { sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { executePrepared } from "@/db/prepared";
import { hex } from "@/lib/claims/claim-types";
import { encryptCode } from "@/lib/codes/code-crypto";
import { encodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { notifyDeliveryOutcome } from "@/lib/notifications/notifications";
import { emitRedemptionEvents } from "@/lib/webhooks/emit-events";
import type { DeliveryProviderName, DeliveryStatus, DeliveryView, Reward } from "./model";

/** The step a delivery takes: what the pipeline, a webhook or an admin learnt. */
export type DeliveryStep =
  | { status: "submitted"; reference: string; txHash?: string; providerVersion?: number }
  | {
      status: "delivered";
      reference: string | null;
      txHash?: string;
      reward?: Reward;
      providerVersion?: number;
    }
  | { status: "failed"; errorCode: string; error: string }
  | {
      status: "dead";
      errorCode: string;
      error: string;
      reference?: string | null;
      providerVersion?: number;
    }
  /** The provider cancelled the order of a reversed redemption: even a delivered one moves. */
  | { status: "cancelled"; reference: string | null; providerVersion?: number };

type StepRow = {
  redemption_id: string;
  provider: DeliveryProviderName;
  status: DeliveryStatus;
  reference: string | null;
  player_id: string;
  player_salt: Buffer;
};

/**
 * Moves a delivery one step, in the caller's transaction, and returns whether it moved. A
 * delivery that is delivered or cancelled never moves again; a dead one only to delivered (the
 * provider or the chain delivered after all): it has no job, so any other step would leave it
 * where nobody looks, and a failure told again is not a second outcome. An admin's retry starts
 * it over. A provider state not newer than the one applied (a webhook sent twice, or overtaken)
 * changes nothing. Delivered and dead are outcomes: each gets a `delivery` entry in the log, with
 * the hash of the provider's reference. An attempt that failed counts once. Cancelled (by the
 * provider, for a reversal) is the one step out of delivered, and an outcome with its entry too.
 */
export async function recordDeliveryStep(
  tx: Tx,
  redemptionId: string,
  step: DeliveryStep,
  now = new Date(),
): Promise<boolean> {
  const reference = "reference" in step ? (step.reference ?? null) : null;
  const version = "providerVersion" in step ? (step.providerVersion ?? null) : null;
  const reward =
    step.status === "delivered" && step.reward ? encryptCode(JSON.stringify(step.reward)) : null;
  const error = step.status === "failed" || step.status === "dead" ? step : null;
  const rows = await executePrepared<StepRow>(
    tx,
    sql`
    update deliveries d set
      status = ${step.status}::delivery_status,
      reference = coalesce(${reference}, d.reference),
      tx_hash = coalesce(${"txHash" in step ? (step.txHash ?? null) : null}, d.tx_hash),
      provider_version = greatest(d.provider_version, coalesce(${version}::int, 0)),
      reward_ciphertext = coalesce(${reward ? Buffer.from(reward.ciphertext) : null}::bytea,
                                   d.reward_ciphertext),
      reward_key_id = coalesce(${reward?.keyId ?? null}, d.reward_key_id),
      attempts = d.attempts + ${step.status === "failed" ? 1 : 0},
      last_error_code = ${error ? error.errorCode : null},
      last_error = ${error ? error.error.slice(0, 1000) : null},
      updated_at = ${now.toISOString()}::timestamptz,
      submitted_at = case when ${step.status} in ('submitted', 'delivered')
                          then coalesce(d.submitted_at, ${now.toISOString()}::timestamptz)
                          else d.submitted_at end,
      delivered_at = case when ${step.status} = 'delivered' then ${now.toISOString()}::timestamptz
                          when ${step.status} = 'cancelled' then d.delivered_at end
    from redemptions r
    where d.redemption_id = ${redemptionId} and r.id = d.redemption_id
      and (d.status not in ('delivered', 'cancelled')
           or (d.status = 'delivered' and ${step.status} = 'cancelled'))
      and (d.status <> 'dead' or ${step.status} in ('delivered', 'cancelled'))
      and (${version}::int is null or ${version}::int > d.provider_version)
      -- A gift card being taken back (or taken back) is never shown: its order, still submitted
      -- at the reversal, may complete before the cancel job reaches the provider.
      and not (d.provider = 'giftcard' and r.status = 'reversed'
               and r.prize_recovery is distinct from 'lost'
               and ${step.status} in ('submitted', 'delivered'))
    returning d.redemption_id, d.provider, d.status, d.reference, r.player_id, r.player_salt`,
  );
  const row = rows[0];
  if (!row) return false;
  await notify(tx, "delivery", row.player_id);
  if (step.status !== "submitted" && step.status !== "failed") {
    const leaf = encodeLeaf({
      kind: "delivery",
      entryId: redemptionId,
      timeMs: now.getTime(),
      playerCommitment: playerCommitment(row.player_id, new Uint8Array(row.player_salt)),
      referenceHash: row.reference
        ? sha256(new TextEncoder().encode(row.reference))
        : new Uint8Array(32),
      outcome: step.status,
      provider: row.provider,
    });
    await executePrepared(
      tx,
      sql`insert into ledger_entries (kind, redemption_id, leaf_data)
          values ('delivery', ${redemptionId}, decode(${hex(leaf)}, 'hex'))`,
    );
    await notify(tx, "ledger_entries");
    // A cancellation follows a reversal, whose own notice and events told everyone already.
    if (step.status === "cancelled") return true;
    await notifyDeliveryOutcome(tx, redemptionId, step.status);
    await emitRedemptionEvents(
      tx,
      step.status === "delivered" ? "delivery.succeeded" : "delivery.failed",
      [redemptionId],
    );
  }
  return true;
}

/** A deliveries row as read for its view (`updated_at` as text from a raw query). */
export type DeliveryRow = {
  status: DeliveryStatus;
  provider: DeliveryProviderName;
  reference: string | null;
  tx_hash: string | null;
  shipment_step: "packed" | "shipped" | null;
  carrier: string | null;
  updated_at: string | Date;
};

/** A delivery as the API shows it, or null when the redemption has none. */
export async function findDelivery(db: DbOrTx, redemptionId: string): Promise<DeliveryView | null> {
  const rows = await db.execute<DeliveryRow>(sql`
    select status, provider, reference, tx_hash, shipment_step, carrier, updated_at::text
    from deliveries
    where redemption_id = ${redemptionId}`);
  const row = rows[0];
  return row ? toView(row) : null;
}

export function toView(row: DeliveryRow): DeliveryView {
  return {
    status: row.status,
    provider: row.provider,
    reference: row.reference,
    txHash: row.tx_hash,
    shipment: row.shipment_step ? { step: row.shipment_step, carrier: row.carrier } : null,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
