import "server-only";
import type postgres from "postgres";
import type { Db } from "@/db/client";
import { runWokenLoop } from "@/lib/jobs/woken-loop";
import type { Log } from "@/lib/log";
import { type AnchorResult, anchorCheckpoint, type LedgerChain } from "./anchor-checkpoint";
import { sequenceEntries, waitingEntries } from "./sequence-entries";

export type AnchoringOptions = {
  db: Db;
  sql: postgres.Sql;
  chain: LedgerChain;
  batchSize: number;
  maxAgeMs: number;
  pollMs: number;
  signal: AbortSignal;
  log: Log;
};

// Held by the worker that anchors: two workers sending checkpoints at once would only waste gas
// (the contract refuses the loser), but one at a time keeps the chain's history tidy.
const ANCHOR_LOCK = 72_093;

/** One pass: sequence everything waiting (in batches), then anchor the newest checkpoint. */
export async function anchoringPass(
  db: Db,
  chain: LedgerChain,
  batchSize: number,
  assertLocked?: () => Promise<void>,
): Promise<AnchorResult> {
  for (;;) {
    const { appended } = await sequenceEntries(db, batchSize);
    if (appended < batchSize) break;
  }
  return anchorCheckpoint(db, chain, assertLocked);
}

/**
 * A batch is due when a full batch is waiting or the oldest waiting entry has waited `maxAgeMs`;
 * otherwise, how long until the oldest one will have. Batching keeps gas per entry low.
 */
async function nextBatchDue(
  db: Db,
  batchSize: number,
  maxAgeMs: number,
): Promise<{ due: true } | { due: false; waitMs: number }> {
  const { count, oldestAgeMs } = await waitingEntries(db, batchSize);
  if (count === 0) return { due: false, waitMs: Number.POSITIVE_INFINITY };
  if (count >= batchSize || oldestAgeMs >= maxAgeMs) return { due: true };
  return { due: false, waitMs: maxAgeMs - oldestAgeMs };
}

/**
 * The anchoring job: woken by NOTIFY from claims (and by a poll as a safety net), retrying with
 * exponential backoff while the database or the chain is unreachable.
 */
export async function runAnchoring(options: AnchoringOptions): Promise<void> {
  const { db, sql, chain, batchSize, maxAgeMs, pollMs, signal, log } = options;
  await runWokenLoop({
    sql,
    channel: "ledger_entries",
    signal,
    log,
    pollMs,
    failureEvent: "anchoring_failed_will_retry",
    pass: async () => {
      const batch = await nextBatchDue(db, batchSize, maxAgeMs);
      // A checkpoint left pending (the chain was down) is anchored even when no batch is due.
      const result: AnchorResult = (await withSessionLock(sql, ANCHOR_LOCK, (assertLocked) =>
        batch.due
          ? anchoringPass(db, chain, batchSize, assertLocked)
          : anchorCheckpoint(db, chain, assertLocked),
      )) ?? { status: "idle" };
      if (result.status === "anchored") {
        log.info("checkpoint_anchored", { treeSize: result.treeSize, txHash: result.txHash });
      } else if (result.status === "reconciled") {
        log.info("reconciled_with_chain", { treeSize: result.treeSize });
      }
      if (result.status !== "idle") return { again: true };
      return {
        again: false,
        sleepMs: batch.due ? pollMs : Math.min(Math.max(batch.waitMs, 10), pollMs * 20),
      };
    },
  });
}

/**
 * Runs `fn` only if this process gets the advisory lock; undefined when another holds it. `fn` is
 * given a check that the lock is still held: a session lock ends with its connection, and once
 * that drops another worker may take it.
 */
export async function withSessionLock<T>(
  sql: postgres.Sql,
  key: number,
  fn: (assertLocked: () => Promise<void>) => Promise<T>,
): Promise<T | undefined> {
  const connection = await sql.reserve();
  try {
    const [row] = await connection<{ ok: boolean; pid: number }[]>`
      select pg_try_advisory_lock(${key}) as ok, pg_backend_pid() as pid`;
    if (!row?.ok) return undefined;
    // Asked through the pool, not the reserved connection: a query on a dropped reserved
    // connection never settles. A bigint key is split into classid and objid in pg_locks.
    const held = async () => {
      const [lock] = await sql<{ ok: boolean }[]>`
        select exists (
          select 1 from pg_locks
          where locktype = 'advisory' and granted and pid = ${row.pid}
            and classid = ${Math.floor(key / 2 ** 32)} and objid = ${key % 2 ** 32} and objsubid = 1
        ) as ok`;
      return lock?.ok === true;
    };
    try {
      return await fn(async () => {
        if (!(await held())) throw new Error(`advisory lock ${key} was lost with its connection`);
      });
    } finally {
      if (await held()) await connection`select pg_advisory_unlock(${key})`;
    }
  } finally {
    connection.release();
  }
}
