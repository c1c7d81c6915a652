import "server-only";
import type { Db } from "@/db/client";
import { Batcher, blameOf, sqlStateOf } from "@/lib/batching/batcher";
import { logError, logWarning } from "@/lib/log";
import { observeClaimBatch } from "@/lib/metrics/web-metrics";
import { claimBatch } from "./claim-batch";
import { type ClaimOutcome, type ClaimRequest, ClaimRequestFailure } from "./claim-types";

const MAX_BATCH = 256;
// One transaction per drop at a time: a drop's batches take turns on the drop lock anyway
// (lockDropClaims), and a second one in flight could get the lock before an earlier one and
// serve claims that arrived later first.
const MAX_IN_FLIGHT = 1;

type ClaimBatcher = Batcher<ClaimRequest, ClaimOutcome>;

// On globalThis like the pool itself: the web server's direct routes and Next's build are two
// bundles of this module in one process, and a drop's claims should queue in one batcher.
const global = globalThis as unknown as {
  prizeledgerClaimBatchers?: WeakMap<Db, Map<string, ClaimBatcher>>;
};
global.prizeledgerClaimBatchers ??= new WeakMap();
const batchers = global.prizeledgerClaimBatchers;

/** Claims one unit of a drop for a player; concurrent claims of a drop share transactions. */
export function submitClaim(db: Db, request: ClaimRequest): Promise<ClaimOutcome> {
  let byDrop = batchers.get(db);
  if (!byDrop) {
    byDrop = new Map();
    batchers.set(db, byDrop);
  }
  let batcher = byDrop.get(request.dropId);
  if (!batcher) {
    const dropId = request.dropId;
    const run = (requests: ClaimRequest[]) => {
      observeClaimBatch(requests.length);
      return runBatch(db, dropId, requests);
    };
    batcher = new Batcher(run, MAX_BATCH, MAX_IN_FLIGHT);
    byDrop.set(request.dropId, batcher);
  }
  return batcher.submit(request);
}

/**
 * A batch in one transaction. A failure that names its request (ClaimRequestFailure) fails that
 * request alone: the others run again without it. When the transaction fails for what may be one
 * request's data (the database refused a value or a constraint) or the batch lost a deadlock or a
 * serialization conflict, the halves are run again on their own, down to single requests, so the
 * others get their answers and only the culprit gets the error; a single request that lost a
 * deadlock or a conflict is tried once more. Any other failure (connection lost, out of
 * resources, a commit whose outcome is unknown) fails every request at once: no request is to
 * blame, and running one again might repeat a claim that was in fact committed.
 * At most 2n - 1 transactions for n requests, however many of them are to blame.
 */
export async function runBatch(
  db: Db,
  dropId: string,
  requests: ClaimRequest[],
  retried = false,
): Promise<PromiseSettledResult<ClaimOutcome>[]> {
  try {
    const outcomes = await db.transaction((tx) => claimBatch(tx, dropId, requests));
    return outcomes.map((value) => ({ status: "fulfilled", value }));
  } catch (reason) {
    const culprit = reason instanceof ClaimRequestFailure ? requests.indexOf(reason.request) : -1;
    if (culprit >= 0) {
      logError("claim_request_failed", reason, culpritFields(requests[culprit]));
      const others = await runBatch(db, dropId, requests.toSpliced(culprit, 1));
      return others.toSpliced(culprit, 0, { status: "rejected", reason });
    }
    const sqlState = sqlStateOf(reason);
    const blame = sqlState === undefined ? undefined : blameOf(sqlState);
    if (requests.length === 1) {
      if (blame === "conflict" && !retried) {
        logWarning("claim_retried", { sqlState, ...culpritFields(requests[0]) });
        return runBatch(db, dropId, requests, true);
      }
      if (blame)
        logError("claim_request_failed", reason, { sqlState, ...culpritFields(requests[0]) });
      return [{ status: "rejected", reason }];
    }
    if (!blame) return requests.map(() => ({ status: "rejected", reason }));
    logWarning("claim_batch_split", { sqlState, dropId, requests: requests.length });
    const half = Math.ceil(requests.length / 2);
    return [
      ...(await runBatch(db, dropId, requests.slice(0, half))),
      ...(await runBatch(db, dropId, requests.slice(half))),
    ];
  }
}

function culpritFields(request: ClaimRequest | undefined) {
  return { dropId: request?.dropId, playerId: request?.playerId, requestId: request?.requestId };
}
