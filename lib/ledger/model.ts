/** The ledger's enumerations, shared by the database schema, the server and the browser. */

/**
 * What a log entry records: a claim, its reversal by an admin, or its expiry; a player's server
 * seed commitment; a game round.
 */
export const ledgerKinds = [
  "redemption",
  "reversal",
  "expiry",
  "seed_commitment",
  "round",
  "delivery",
] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

export const checkpointStatuses = ["pending", "anchored", "superseded"] as const;
export type CheckpointStatus = (typeof checkpointStatuses)[number];
