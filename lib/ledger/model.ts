/** The ledger's enumerations, shared by the database schema, the server and the browser. */

/**
 * What a log entry records: a claim, its reversal by an admin, or its expiry; a player's server
 * seed commitment; a game round; a delivery's outcome; a waiting room's draw (its pre-queue
 * fixed before the seed is used).
 */
export const ledgerKinds = [
  "redemption",
  "reversal",
  "expiry",
  "seed_commitment",
  "round",
  "delivery",
  "queue_draw",
] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

export const checkpointStatuses = ["pending", "anchored", "superseded"] as const;
export type CheckpointStatus = (typeof checkpointStatuses)[number];

export const RECEIPT_CHAIN_TYPE = "prizeledger/receipt-chain";

/**
 * A redemption's claim and delivery receipts in one file, as its page downloads them and /verify
 * reads them (lib/ledger/receipt-chain.ts): only a container, the receipts are checked as ever.
 */
export type ReceiptChainDocument = {
  version: 1;
  type: typeof RECEIPT_CHAIN_TYPE;
  claim?: unknown;
  delivery?: unknown;
};

export function bundleReceipts(claim: unknown, delivery: unknown): ReceiptChainDocument {
  return { version: 1, type: RECEIPT_CHAIN_TYPE, claim, delivery };
}

/** Each kind of entry in words, as the public ledger names it. */
export const ledgerKindLabels: Record<LedgerKind, string> = {
  redemption: "Redemption",
  reversal: "Reversal",
  expiry: "Expiry",
  seed_commitment: "Seed commitment",
  round: "Game round",
  delivery: "Delivery outcome",
  queue_draw: "Waiting-room draw",
};
