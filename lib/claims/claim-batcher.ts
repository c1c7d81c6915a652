import type { Db } from "@/db/client";
import { claimBatch } from "./claim-batch";
import type { ClaimOutcome, ClaimRequest } from "./claim-types";

type Pending = {
  request: ClaimRequest;
  resolve: (outcome: ClaimOutcome) => void;
  reject: (error: unknown) => void;
};

const MAX_BATCH = 256;
// One transaction per drop at a time: a drop's batches take turns on the drop lock anyway
// (lockDropClaims), and a second one in flight could get the lock before an earlier one and
// serve claims that arrived later first.
const MAX_IN_FLIGHT = 1;

/**
 * Claims are grouped: while a transaction for a drop is in flight, the claims that arrive for it
 * wait and then go together in the next transaction. Under a flash crowd that turns hundreds of
 * commits (each a disk flush) into a few. At low load a batch is a single claim.
 */
class ClaimBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Db,
    private readonly dropId: string,
  ) {}

  submit(request: ClaimRequest): Promise<ClaimOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      runBatch(
        this.db,
        this.dropId,
        batch.map((p) => p.request),
      )
        .then(
          (settled) => {
            for (const [i, p] of batch.entries()) {
              const result = settled[i];
              if (result?.status === "fulfilled") p.resolve(result.value);
              else p.reject(result?.reason);
            }
          },
          (error) => {
            for (const p of batch) p.reject(error);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

const batchers = new WeakMap<Db, Map<string, ClaimBatcher>>();

/** Claims one unit of a drop for a player; concurrent claims of a drop share transactions. */
export function submitClaim(db: Db, request: ClaimRequest): Promise<ClaimOutcome> {
  let byDrop = batchers.get(db);
  if (!byDrop) {
    byDrop = new Map();
    batchers.set(db, byDrop);
  }
  let batcher = byDrop.get(request.dropId);
  if (!batcher) {
    batcher = new ClaimBatcher(db, request.dropId);
    byDrop.set(request.dropId, batcher);
  }
  return batcher.submit(request);
}

/**
 * A batch in one transaction. When the transaction fails for what may be one request's data
 * (the database refused a value, a constraint, or the batch lost a deadlock), the halves are run
 * again on their own, down to single requests, so the others get their answers and only the
 * culprit gets the error. A failure of the database itself (connection lost, out of resources)
 * fails every request at once: no request is to blame, and each retry would fail the same way.
 * At most 2n - 1 transactions for n requests, however many of them are to blame.
 */
export async function runBatch(
  db: Db,
  dropId: string,
  requests: ClaimRequest[],
): Promise<PromiseSettledResult<ClaimOutcome>[]> {
  try {
    const outcomes = await db.transaction((tx) => claimBatch(tx, dropId, requests));
    return outcomes.map((value) => ({ status: "fulfilled", value }));
  } catch (reason) {
    if (requests.length === 1 || !mayBeOneRequests(reason)) {
      return requests.map(() => ({ status: "rejected", reason }));
    }
    const half = Math.ceil(requests.length / 2);
    return [
      ...(await runBatch(db, dropId, requests.slice(0, half))),
      ...(await runBatch(db, dropId, requests.slice(half))),
    ];
  }
}

// SQLSTATE classes of a statement refused for what it carried: data exception, integrity
// constraint violation, transaction rollback (deadlock, serialization).
const REQUEST_ERROR_CLASSES = new Set(["22", "23", "40"]);

function mayBeOneRequests(error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  const sqlState = [code, cause?.code].find(
    (c): c is string => typeof c === "string" && /^[0-9A-Z]{5}$/.test(c),
  );
  return sqlState !== undefined && REQUEST_ERROR_CLASSES.has(sqlState.slice(0, 2));
}
