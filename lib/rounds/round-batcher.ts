import "server-only";
import type { Db } from "@/db/client";
import { Batcher, blameOf, sqlStateOf } from "@/lib/batching/batcher";
import { logError, logWarning } from "@/lib/log";
import { playRoundBatch } from "./round-batch";
import type { RoundOutcome, RoundRequest } from "./round-types";

const MAX_BATCH = 256;
/**
 * Players are split into lanes by their id, a batch at a time in each lane: batches in flight
 * side by side never hold the same player's account, so they never wait on each other's locks
 * (a hot set of players would otherwise queue batch behind batch). More lanes than a few only
 * queue on the pool and the cores.
 */
const LANES = 8;

// On globalThis like the pool: the direct routes and Next's bundle share one process.
const global = globalThis as unknown as {
  prizeledgerRoundBatchers?: WeakMap<Db, Batcher<RoundRequest, RoundOutcome>[]>;
};
global.prizeledgerRoundBatchers ??= new WeakMap();
const batchers = global.prizeledgerRoundBatchers;

/** Plays one round; concurrent rounds share transactions. */
export function submitRound(db: Db, request: RoundRequest): Promise<RoundOutcome> {
  let lanes = batchers.get(db);
  if (!lanes) {
    lanes = Array.from(
      { length: LANES },
      () => new Batcher((requests: RoundRequest[]) => runRoundBatch(db, requests), MAX_BATCH, 1),
    );
    batchers.set(db, lanes);
  }
  const lane = Number.parseInt(request.playerId.slice(0, 8), 16) % LANES;
  return (lanes[lane] ?? (lanes[0] as Batcher<RoundRequest, RoundOutcome>)).submit(request);
}

/**
 * A batch in one transaction. When it fails for what may be one request's data, or lost a
 * deadlock or a serialization conflict, its halves run again on their own down to single
 * requests, so one bad request never fails the others; a single request that lost a conflict
 * (or met its own key committed meanwhile in the other currency: a unique violation) is tried
 * once more, and then finds that round. The engine's own errors count as a request's data too
 * (a player's seed or prize code that does not decrypt, a broken invariant): thrown inside the
 * transaction, they roll it back. Other failures (connection lost, a commit whose outcome is
 * unknown) fail the whole batch: running it again might play a round twice.
 */
export async function runRoundBatch(
  db: Db,
  requests: RoundRequest[],
  retried = false,
): Promise<PromiseSettledResult<RoundOutcome>[]> {
  let engineError = false;
  try {
    const outcomes = await db.transaction((tx) =>
      playRoundBatch(tx, requests).catch((error: unknown) => {
        engineError = !hasCode(error);
        throw error;
      }),
    );
    return outcomes.map((value) => ({ status: "fulfilled", value }));
  } catch (reason) {
    const sqlState = sqlStateOf(reason);
    const blame =
      sqlState === "23505"
        ? "conflict"
        : sqlState !== undefined
          ? blameOf(sqlState)
          : engineError
            ? "request"
            : undefined;
    if (requests.length === 1) {
      const [request] = requests;
      const fields = { sqlState, playerId: request?.playerId, requestId: request?.requestId };
      if (blame === "conflict" && !retried) {
        logWarning("round_retried", fields);
        return runRoundBatch(db, requests, true);
      }
      if (blame) logError("round_request_failed", reason, fields);
      return [{ status: "rejected", reason }];
    }
    if (!blame) return requests.map(() => ({ status: "rejected", reason }));
    logWarning("round_batch_split", { sqlState, requests: requests.length });
    const half = Math.ceil(requests.length / 2);
    return [
      ...(await runRoundBatch(db, requests.slice(0, half))),
      ...(await runRoundBatch(db, requests.slice(half))),
    ];
  }
}

/** Whether an error came from the database or its driver (a code), not from the engine itself. */
function hasCode(error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  return code !== undefined || cause?.code !== undefined;
}
