import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import {
  deliveries,
  drops,
  ledgerEntries,
  prizes,
  redemptions,
  tokenPayoutBatches,
  tokenPayouts,
} from "@/db/schema";
import { anchoredCheckpointFor, inclusionProof } from "@/lib/anchoring/proofs";
import { type ReceiptWitnesses, receiptCheckpointFor } from "@/lib/anchoring/receipt-checkpoint";
import { decryptCode } from "@/lib/codes/code-crypto";
import { env } from "@/lib/config/env";
import type {
  DeliveryProviderName,
  DeliveryStatus,
  DeliveryView,
  Reward,
} from "@/lib/delivery/model";
import type { AllocationMode } from "@/lib/drops/model";
import { configuredIdentity } from "@/lib/ledger/configured-identity";
import { toHex } from "@/lib/ledger/merkle";
import { signAnchoringPromise } from "@/lib/ledger/sign-receipt";
import { formatTlogProof } from "@/lib/ledger/signed-checkpoint";
import type { PayoutStatus } from "@/lib/payouts/model";
import {
  type AnchoredReceipt,
  codeIsShown,
  formatTokenAmount,
  type PendingReceipt,
  type PlayerDelivery,
  type PlayerPayout,
  type PrizeRecovery,
  type ReceiptKind,
  type RedemptionView,
  redemptionOriginOf,
} from "./model";

const deliveryColumns = {
  status: redemptions.status,
  deliveryStatus: deliveries.status,
  deliveryProvider: deliveries.provider,
  deliveryReference: deliveries.reference,
  deliveryTxHash: deliveries.txHash,
  shipmentStep: deliveries.shipmentStep,
  carrier: deliveries.carrier,
  deliveryUpdatedAt: deliveries.updatedAt,
  rewardCiphertext: deliveries.rewardCiphertext,
  rewardKeyId: deliveries.rewardKeyId,
  prizeRecovery: redemptions.prizeRecovery,
  payoutStatus: tokenPayouts.status,
  payoutAddress: tokenPayouts.address,
  payoutTxHash: tokenPayoutBatches.txHash,
  payoutChainId: tokenPayoutBatches.chainId,
};

const columns = {
  id: redemptions.id,
  codeCiphertext: redemptions.codeCiphertext,
  codeKeyId: redemptions.codeKeyId,
  actionDeadline: redemptions.actionDeadline,
  shippingAddress: redemptions.shippingAddress,
  createdAt: redemptions.createdAt,
  dropId: drops.id,
  dropTitle: drops.title,
  allocation: drops.allocation,
  prizeId: prizes.id,
  prizeName: prizes.name,
  prizeKind: prizes.kind,
  valueCents: prizes.valueCents,
  tokenAmount: prizes.tokenAmount,
  tokenSymbol: prizes.tokenSymbol,
  leafIndex: ledgerEntries.leafIndex,
  reversedAt: redemptions.reversedAt,
  reversalReason: redemptions.reversalReason,
  catalogItemId: redemptions.catalogItemId,
  roundId: redemptions.roundId,
  priceSc: redemptions.priceSc,
  reviewedAt: redemptions.reviewedAt,
  rejectionReason: redemptions.rejectionReason,
  ...deliveryColumns,
};

type Row = {
  id: string;
  codeCiphertext: Uint8Array;
  codeKeyId: string;
  status: RedemptionView["status"];
  actionDeadline: Date | null;
  shippingAddress: Record<string, string> | null;
  createdAt: Date;
  dropId: string | null;
  dropTitle: string | null;
  allocation: AllocationMode | null;
  prizeId: string;
  prizeName: string;
  prizeKind: RedemptionView["prize"]["kind"];
  valueCents: number;
  tokenAmount: string | null;
  tokenSymbol: string | null;
  leafIndex: number | null;
  reversedAt: Date | null;
  reversalReason: string | null;
  prizeRecovery: PrizeRecovery | null;
  catalogItemId: string | null;
  roundId: string | null;
  priceSc: number | null;
  reviewedAt: Date | null;
  rejectionReason: string | null;
  deliveryStatus: DeliveryStatus | null;
  deliveryProvider: DeliveryProviderName | null;
  deliveryReference: string | null;
  deliveryTxHash: string | null;
  shipmentStep: string | null;
  carrier: string | null;
  deliveryUpdatedAt: Date | null;
  rewardCiphertext: Uint8Array | null;
  rewardKeyId: string | null;
  payoutStatus: string | null;
  payoutAddress: string | null;
  payoutTxHash: string | null;
  payoutChainId: number | null;
};

/**
 * The card a provider issued, for its owner; none while the redemption is void, nor once the
 * provider cancelled the card (a reversal): it no longer works. Nor while a reversal is
 * cancelling it at the provider: shown then, it invites spending the card before the cancel
 * lands (a card spent first is `lost`, and shown again: it is the player's).
 */
function rewardOf(row: DeliveryRow): Reward | null {
  if (!row.rewardCiphertext || !row.rewardKeyId || !codeIsShown(row.status)) return null;
  if (row.deliveryStatus === "cancelled") return null;
  if (row.prizeRecovery === "cancelling" || row.prizeRecovery === "recovered") return null;
  return JSON.parse(decryptCode(row.rewardCiphertext, row.rewardKeyId)) as Reward;
}

/** The first anchored checkpoint that covers a leaf: receipts stay the same once issued. */
async function toView(db: DbOrTx, row: Row): Promise<RedemptionView> {
  const cp = await anchoredCheckpointFor(db, row.leafIndex);
  return {
    id: row.id,
    code: codeIsShown(row.status) ? decryptCode(row.codeCiphertext, row.codeKeyId) : null,
    status: row.status,
    actionDeadline: row.actionDeadline?.toISOString() ?? null,
    shippingAddress: row.shippingAddress,
    claimedAt: row.createdAt.toISOString(),
    drop: row.dropId && row.dropTitle ? { id: row.dropId, title: row.dropTitle } : null,
    origin: redemptionOriginOf(row),
    wonInDraw: row.allocation === "lottery",
    prize: {
      id: row.prizeId,
      name: row.prizeName,
      kind: row.prizeKind,
      valueCents: row.valueCents,
      token:
        row.prizeKind === "crypto" && row.tokenAmount && row.tokenSymbol
          ? { amount: formatTokenAmount(row.tokenAmount), symbol: row.tokenSymbol }
          : null,
    },
    anchoring:
      cp?.txHash != null
        ? { status: "anchored", treeSize: cp.treeSize, txHash: cp.txHash }
        : { status: "pending" },
    reversal: row.reversedAt
      ? {
          reversedAt: row.reversedAt.toISOString(),
          reason: row.reversalReason ?? "",
          prize: row.prizeRecovery ?? "returned",
        }
      : null,
    rejection:
      row.status === "rejected" && row.reviewedAt
        ? { rejectedAt: row.reviewedAt.toISOString(), reason: row.rejectionReason ?? "" }
        : null,
    delivery: deliveryOf(row),
  };
}

type DeliveryRow = Pick<
  Row,
  | "status"
  | "deliveryStatus"
  | "deliveryProvider"
  | "deliveryReference"
  | "deliveryTxHash"
  | "shipmentStep"
  | "carrier"
  | "deliveryUpdatedAt"
  | "rewardCiphertext"
  | "rewardKeyId"
  | "prizeRecovery"
  | "payoutStatus"
  | "payoutAddress"
  | "payoutTxHash"
  | "payoutChainId"
>;

/** The payment's transaction is shown once it is out: a signed one may yet be replaced. */
const BROADCAST: ReadonlySet<string> = new Set(["sent", "confirmed"]);

/** A payout not yet signed when its redemption ended is never paid: the payer cancels it. */
const UNSIGNED: ReadonlySet<string> = new Set(["awaiting_wallet", "due"]);
const ENDED: ReadonlySet<RedemptionView["status"]> = new Set(["reversed", "expired", "rejected"]);

/**
 * The payment as the player should read it. One waiting for a wallet (or due) of a redemption
 * that ended is shown cancelled at once: asked to link a wallet, the player would link one for
 * nothing (run-payouts.ts cancels it only when it comes due).
 */
function payoutOf(row: DeliveryRow): PlayerPayout | null {
  if (!row.payoutStatus) return null;
  const out = BROADCAST.has(row.payoutStatus);
  const ended = ENDED.has(row.status) && UNSIGNED.has(row.payoutStatus);
  return {
    status: ended ? "cancelled" : (row.payoutStatus as PayoutStatus),
    address: row.payoutAddress,
    txHash: out ? row.payoutTxHash : null,
    chainId: out ? row.payoutChainId : null,
  };
}

function deliveryOf(row: DeliveryRow): RedemptionView["delivery"] {
  if (!row.deliveryStatus || !row.deliveryProvider || !row.deliveryUpdatedAt) return null;
  return {
    status: row.deliveryStatus,
    provider: row.deliveryProvider,
    reference: row.deliveryReference,
    txHash: row.deliveryTxHash,
    shipment: shipmentOf(row),
    updatedAt: row.deliveryUpdatedAt.toISOString(),
    reward: rewardOf(row),
    payout: payoutOf(row),
  };
}

/**
 * A parcel's last step and carrier. Delivered, its step is cleared, but the player still reads
 * who carried it beside the tracking number: its last step on the way, shipped, is kept.
 */
function shipmentOf(row: DeliveryRow): DeliveryView["shipment"] {
  if (row.shipmentStep === "packed" || row.shipmentStep === "shipped") {
    return { step: row.shipmentStep, carrier: row.carrier };
  }
  if (row.deliveryProvider === "shipping" && row.deliveryStatus === "delivered" && row.carrier) {
    return { step: "shipped", carrier: row.carrier };
  }
  return null;
}

function baseQuery(db: DbOrTx) {
  return db
    .select(columns)
    .from(redemptions)
    .leftJoin(drops, eq(drops.id, redemptions.dropId))
    .innerJoin(prizes, eq(prizes.id, redemptions.prizeId))
    .leftJoin(deliveries, eq(deliveries.redemptionId, redemptions.id))
    .leftJoin(tokenPayouts, eq(tokenPayouts.redemptionId, redemptions.id))
    .leftJoin(tokenPayoutBatches, eq(tokenPayoutBatches.id, tokenPayouts.batchId))
    .leftJoin(
      ledgerEntries,
      and(eq(ledgerEntries.redemptionId, redemptions.id), eq(ledgerEntries.kind, "redemption")),
    );
}

export async function listPlayerRedemptions(
  db: DbOrTx,
  playerId: string,
): Promise<RedemptionView[]> {
  const rows = await baseQuery(db)
    .where(eq(redemptions.playerId, playerId))
    .orderBy(desc(redemptions.createdAt))
    .limit(200);
  return Promise.all(rows.map((row) => toView(db, row)));
}

/**
 * The deliveries of the redemptions the player's list shows (the newest 200), for the live
 * stream: the same fields as their redemptions carry, without the ledger's look-ups.
 */
export async function listPlayerDeliveries(
  db: DbOrTx,
  playerId: string,
): Promise<PlayerDelivery[]> {
  const rows = await db
    .select({ redemptionId: redemptions.id, ...deliveryColumns })
    .from(redemptions)
    .innerJoin(deliveries, eq(deliveries.redemptionId, redemptions.id))
    .leftJoin(tokenPayouts, eq(tokenPayouts.redemptionId, redemptions.id))
    .leftJoin(tokenPayoutBatches, eq(tokenPayoutBatches.id, tokenPayouts.batchId))
    .where(eq(redemptions.playerId, playerId))
    .orderBy(desc(redemptions.createdAt))
    .limit(200);
  return rows.map((row) => ({ redemptionId: row.redemptionId, delivery: deliveryOf(row) }));
}

/** A redemption of this player's; another player's id answers the same as a missing one. */
export async function getPlayerRedemption(
  db: DbOrTx,
  playerId: string,
  id: string,
): Promise<RedemptionView | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  const [row] = await baseQuery(db).where(
    and(eq(redemptions.id, id), eq(redemptions.playerId, playerId)),
  );
  return row && toView(db, row);
}

/**
 * Whose cosignatures a receipt's checkpoint carries, and how many it should: the witnesses and
 * quorum this operator publishes (verifiers default to them), none and 0 where it publishes none.
 */
function receiptWitnesses(): ReceiptWitnesses {
  const identity = configuredIdentity(env());
  return {
    keys: identity?.witnesses?.map((w) => w.key) ?? [],
    quorum: identity?.witnessQuorum ?? 0,
  };
}

/**
 * The player's receipt: provisional until a checkpoint covering the entry is on chain. A reversal
 * leaf carries the redemption's player commitment, so its receipt has the same form and verifies
 * with the same salt.
 */
export async function getReceipt(
  db: DbOrTx,
  playerId: string,
  redemptionId: string,
  kind: ReceiptKind = "redemption",
  witnesses: ReceiptWitnesses = receiptWitnesses(),
): Promise<PendingReceipt | AnchoredReceipt | undefined> {
  if (!z.uuid().safeParse(redemptionId).success) return undefined;
  const [row] = await db
    .select({
      salt: redemptions.playerSalt,
      // The entry's own time (for a redemption, the claim's: one transaction's now()).
      loggedAt: ledgerEntries.createdAt,
      data: ledgerEntries.leafData,
      leafIndex: ledgerEntries.leafIndex,
    })
    .from(redemptions)
    .innerJoin(
      ledgerEntries,
      and(eq(ledgerEntries.redemptionId, redemptions.id), eq(ledgerEntries.kind, kind)),
    )
    .where(and(eq(redemptions.id, redemptionId), eq(redemptions.playerId, playerId)))
    // A delivery may have several outcomes logged (delivered, then cancelled by a reversal): the
    // receipt is of the latest.
    .orderBy(desc(ledgerEntries.id))
    .limit(1);
  if (!row) return undefined;
  const leaf = { data: toHex(row.data), salt: toHex(row.salt), playerId };
  const chosen = await receiptCheckpointFor(db, row.leafIndex, witnesses);
  const cp = chosen?.checkpoint;
  if (
    row.leafIndex === null ||
    !cp ||
    cp.chainId == null ||
    cp.contract == null ||
    cp.txHash == null ||
    cp.blockNumber == null ||
    cp.blockTime == null
  ) {
    const pending = { index: row.leafIndex, ...leaf };
    const promise = await signAnchoringPromise(pending, row.loggedAt.getTime());
    return { version: 1, status: "pending", leaf: pending, ...(promise ? { promise } : {}) };
  }
  const proof = await inclusionProof(db, row.leafIndex, cp.treeSize);
  return {
    version: 1,
    status: "anchored",
    leaf: { index: row.leafIndex, ...leaf },
    inclusionProof: proof.map(toHex),
    checkpoint: { treeSize: cp.treeSize, rootHash: toHex(cp.rootHash) },
    ...(chosen.signedNote && {
      signedCheckpoint: chosen.signedNote,
      tlogProof: formatTlogProof(row.leafIndex, proof.map(toHex), chosen.signedNote),
    }),
    anchor: {
      chainId: cp.chainId,
      contract: cp.contract,
      txHash: cp.txHash,
      blockNumber: cp.blockNumber,
      blockTime: cp.blockTime,
    },
  };
}
