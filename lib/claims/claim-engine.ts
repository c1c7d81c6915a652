import "server-only";
import type { Db, Tx } from "@/db/client";
import { claimBatch } from "./claim-batch";
import { runBatch } from "./claim-batcher";
import type { ClaimOutcome, ClaimRequest } from "./claim-types";

// The claim engine's entry points. A batch of claims of one drop is one transaction
// (claim-batch: idempotency, allocation, issue, record); claim-batcher groups concurrent claims.
export { RATE_WINDOW_SECONDS } from "./claim-allocation";
export { runBatch, submitClaim } from "./claim-batcher";
export type { ClaimOutcome, ClaimRequest } from "./claim-types";
export type { ClaimedRedemption } from "./model";

/**
 * Grants units to a lottery's winners (in draw order) once its window has closed: the same
 * transaction, limits, codes and ledger entries as a first-come claim. A physical prize's
 * winner has until `actionDeadline` to give a shipping address.
 */
export function grantLotteryWins(
  db: Db | Tx,
  dropId: string,
  winners: string[],
  options: { actionDeadline: Date },
): Promise<ClaimOutcome[]> {
  return db.transaction((tx) =>
    claimBatch(
      tx,
      dropId,
      winners.map((playerId) => ({ dropId, playerId })),
      { mode: "lottery_draw", actionDeadline: options.actionDeadline },
    ),
  );
}

/** One claim in its own transaction, bypassing the batcher (for comparison in benchmarks). */
export async function claimAlone(db: Db, request: ClaimRequest): Promise<ClaimOutcome> {
  const [result] = await runBatch(db, request.dropId, [request]);
  if (result?.status !== "fulfilled") throw result?.reason;
  return result.value;
}
