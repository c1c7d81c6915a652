import "server-only";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type postgres from "postgres";
import type { Db } from "@/db/client";
import { checkpointCosignatures, checkpoints, logWitnessState } from "@/db/schema";
import type { LogWitness } from "@/lib/config/env";
import { readAtMost } from "@/lib/http/read-at-most";
import { runWokenLoop } from "@/lib/jobs/woken-loop";
import { COSIGNATURE_CLOCK_SKEW_SECONDS } from "@/lib/ledger/signed-checkpoint";
import type { Log } from "@/lib/log";
import { openNote, parseVerifierKey } from "@/lib/tlog/note";
import { formatAddCheckpoint, parseSizeConflict } from "@/lib/tlog/witness-protocol";
import { latestSignedCheckpoint, type SignedCheckpoint } from "./log-checkpoints";
import { consistencyProof } from "./proofs";

/**
 * What one submission came to. `retry`: the witness was unreachable or busy (503, a timeout), try
 * again later. `refused`: it answered no (403, 404, 422, a bigger tree than ours…), which trying
 * again will not change until the next checkpoint.
 */
export type WitnessOutcome =
  | { status: "cosigned"; treeSize: number; cosignedAt: number }
  | { status: "retry"; reason: string }
  | { status: "refused"; reason: string };

// A cosignature line is about 150 bytes; a witness has no reason to say much more.
const MAX_ANSWER_BYTES = 16 * 1024;

type Submission = { db: Db; witness: LogWitness; checkpoint: SignedCheckpoint; timeoutMs: number };

async function storedWitnessSize(db: Db, witnessKey: string): Promise<number> {
  const [row] = await db
    .select({ treeSize: logWitnessState.treeSize })
    .from(logWitnessState)
    .where(eq(logWitnessState.witnessKey, witnessKey));
  return row?.treeSize ?? 0;
}

async function isSigned(db: Db, treeSize: number): Promise<boolean> {
  const [row] = await db
    .select({ treeSize: checkpoints.treeSize })
    .from(checkpoints)
    .where(and(eq(checkpoints.treeSize, treeSize), isNotNull(checkpoints.note)));
  return row !== undefined;
}

async function post(
  { witness, timeoutMs }: Submission,
  body: string,
): Promise<{ status: number; text: string | undefined; type: string }> {
  const response = await fetch(`${witness.url}/add-checkpoint`, {
    method: "POST",
    body,
    redirect: "error",
    signal: AbortSignal.timeout(timeoutMs),
  });
  return {
    status: response.status,
    text: await readAtMost(response, MAX_ANSWER_BYTES),
    type: response.headers.get("content-type") ?? "",
  };
}

/**
 * Keeps the witness's cosignature line if it verifies under the key configured for it; the lines
 * of other keys, and anything else it sent, are ignored (C2SP tlog-witness).
 */
async function keepCosignature(
  { db, witness, checkpoint }: Submission,
  answer: string,
): Promise<WitnessOutcome> {
  const key = parseVerifierKey(witness.key);
  let opened: Awaited<ReturnType<typeof openNote>>;
  try {
    opened = await openNote(checkpoint.note + answer, [key]);
  } catch (error) {
    return {
      status: "refused",
      reason: `its answer is not a cosignature: ${(error as Error).message}`,
    };
  }
  const verified = opened.verified[0];
  const line = opened.signatures.find((s) => s.name === key.name && s.keyId === key.keyId)?.line;
  if (!verified || verified.timestamp === undefined || !line) {
    return { status: "refused", reason: "its answer holds no cosignature by its key" };
  }
  const cosignedAt = verified.timestamp;
  // A time ahead of ours would sit in every receipt of this checkpoint; verifiers would not count
  // it, so keeping it only hides that this witness's clock (or the witness) is wrong.
  const latest = Math.floor(Date.now() / 1000) + COSIGNATURE_CLOCK_SKEW_SECONDS;
  if (cosignedAt > latest) {
    return {
      status: "refused",
      reason: `its cosignature is dated ${new Date(cosignedAt * 1000).toISOString()}, in the future: its clock is wrong`,
    };
  }
  await db.transaction(async (tx) => {
    await tx
      .insert(checkpointCosignatures)
      .values({ treeSize: checkpoint.treeSize, witnessKey: witness.key, line, cosignedAt })
      .onConflictDoUpdate({
        target: [checkpointCosignatures.treeSize, checkpointCosignatures.witnessKey],
        set: { line, cosignedAt, receivedAt: sql`now()` },
      });
    await recordWitnessSize(tx, witness.key, checkpoint.treeSize);
  });
  return { status: "cosigned", treeSize: checkpoint.treeSize, cosignedAt };
}

async function recordWitnessSize(
  db: Pick<Db, "insert">,
  witnessKey: string,
  treeSize: number,
): Promise<void> {
  await db
    .insert(logWitnessState)
    .values({ witnessKey, treeSize })
    .onConflictDoUpdate({
      target: logWitnessState.witnessKey,
      set: { treeSize, updatedAt: sql`now()` },
    });
}

/**
 * The witness has cosigned a larger tree from "this log" than this log has signed: someone holds
 * our key and showed it another tree, or this database was restored from an older backup.
 * Retrying cannot help; an operator must look.
 */
function largerTree(theirs: number, ours: number): WitnessOutcome {
  return {
    status: "refused",
    reason: `it has cosigned size ${theirs} from this log, larger than ours (${ours}): a split view, or a database restored from a backup`,
  };
}

/** One add-checkpoint request from `oldSize`; a 409 naming a size we signed is tried once more. */
async function submitFrom(
  submission: Submission,
  oldSize: number,
  mayRetry: boolean,
): Promise<WitnessOutcome> {
  const { db, witness, checkpoint } = submission;
  const size = checkpoint.treeSize;
  if (oldSize > size) return largerTree(oldSize, size);
  const proof = await consistencyProof(db, oldSize, size);
  let answer: Awaited<ReturnType<typeof post>>;
  try {
    answer = await post(submission, formatAddCheckpoint({ oldSize, proof, note: checkpoint.note }));
  } catch (error) {
    return { status: "retry", reason: `unreachable: ${(error as Error).message}` };
  }
  if (answer.text === undefined) {
    return { status: "refused", reason: `its answer (${answer.status}) is too long` };
  }
  if (answer.status === 200) return keepCosignature(submission, answer.text);
  if (answer.status === 409) {
    let theirs: number;
    try {
      theirs = parseSizeConflict(answer.text);
    } catch (error) {
      return { status: "refused", reason: `409 without its size: ${(error as Error).message}` };
    }
    if (theirs > size) return largerTree(theirs, size);
    if (!mayRetry) return { status: "refused", reason: `409 again: it holds size ${theirs}` };
    if (theirs > 0 && !(await isSigned(db, theirs))) {
      return { status: "refused", reason: `it holds size ${theirs}, which this log never signed` };
    }
    await recordWitnessSize(db, witness.key, theirs);
    return submitFrom(submission, theirs, false);
  }
  const said = answer.text.trim().slice(0, 200);
  if (answer.status >= 500 || answer.status === 429) {
    return { status: "retry", reason: `${answer.status}: ${said}` };
  }
  return { status: "refused", reason: `${answer.status}: ${said}` };
}

/**
 * Submits the checkpoint to one witness (C2SP tlog-witness add-checkpoint), from the size it last
 * cosigned for us, with the consistency proof from there, and keeps the cosignature it returns.
 */
export async function submitToWitness(
  db: Db,
  witness: LogWitness,
  checkpoint: SignedCheckpoint,
  timeoutMs: number,
): Promise<WitnessOutcome> {
  const submission = { db, witness, checkpoint, timeoutMs };
  return submitFrom(submission, await storedWitnessSize(db, witness.key), true);
}

export type WitnessingOptions = {
  db: Db;
  sql: postgres.Sql;
  witnesses: LogWitness[];
  /** A request's limit, and the wait before a witness that could not be reached is asked again. */
  timeoutMs: number;
  retryMs: number;
  signal: AbortSignal;
  log: Log;
};

/**
 * The worker's witness job: the newest signed checkpoint goes to every witness that has not
 * cosigned it (witnesses cosign only their newest, so older ones are never sent). Woken when a
 * checkpoint is signed; a witness that failed is asked again after `retryMs`, one that refused
 * only at the next checkpoint. The witnesses are asked side by side: one never holds up another,
 * and none holds up anchoring, which runs in its own loop.
 */
export async function runWitnessing(options: WitnessingOptions): Promise<void> {
  const { db, sql, witnesses, timeoutMs, retryMs, signal, log } = options;
  // Per witness: the size last tried, and when it may be tried again.
  const tried = new Map<string, { treeSize: number; againAt: number }>();
  await runWokenLoop({
    sql,
    channel: "checkpoints",
    signal,
    log,
    pollMs: retryMs,
    failureEvent: "witnessing_failed_will_retry",
    pass: async () => {
      const checkpoint = await latestSignedCheckpoint(db);
      if (!checkpoint) return { again: false };
      const cosigned = new Set(checkpoint.cosignatures.map((c) => c.witnessKey));
      const due = witnesses.filter((w) => {
        const last = tried.get(w.key);
        return (
          !cosigned.has(w.key) &&
          (last?.treeSize !== checkpoint.treeSize || last.againAt <= Date.now())
        );
      });
      await Promise.all(
        due.map(async (witness) => {
          const outcome = await submitToWitness(db, witness, checkpoint, timeoutMs).catch(
            (error: Error) => ({ status: "retry" as const, reason: error.message }),
          );
          const fields = { witness: witness.key, treeSize: checkpoint.treeSize };
          if (outcome.status === "cosigned") log.info("checkpoint_cosigned", fields);
          else if (outcome.status === "retry") {
            log.warning("witness_unavailable_will_retry", { ...fields, reason: outcome.reason });
          } else {
            log.error("witness_refused_checkpoint", new Error(outcome.reason), fields);
          }
          tried.set(witness.key, {
            treeSize: checkpoint.treeSize,
            againAt: outcome.status === "retry" ? Date.now() + retryMs : Number.POSITIVE_INFINITY,
          });
        }),
      );
      return { again: false };
    },
  });
}
