/**
 * Claim-to-anchored lag: claims arrive open-loop at a fixed rate through `claimDrop` while the
 * real anchoring worker (`runAnchoring`) runs in-process against PostgreSQL and anvil.
 */
import type postgres from "postgres";
import type { Db } from "@/db/client";
import type { LedgerChain } from "@/lib/anchoring/anchor-checkpoint";
import { runAnchoring } from "@/lib/anchoring/run-anchoring";
import { claimDrop } from "@/lib/claims/claim-drop";
import type { Log, LogFields } from "@/lib/log";

export type LagOptions = {
  claimDb: Db;
  workerDb: { db: Db; sql: postgres.Sql };
  chain: LedgerChain;
  dropId: string;
  players: string[];
  rate: number;
  seconds: number;
  maxInFlight: number;
  batchSize: number;
  maxAgeMs: number;
  pollMs: number;
  log: (line: string) => void;
};

export type LagResult = {
  offered: number;
  ok: number;
  errors: number;
  firstError?: string;
  achievedRate: number;
  claimP50: number;
  claimP99: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
  anchoredCheckpoints: number;
  meanCheckpointSize: number;
  drainMs: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export async function claimToAnchoredLag(o: LagOptions): Promise<LagResult> {
  const total = Math.round(o.rate * o.seconds);
  if (o.players.length < total) throw new Error(`need ${total} players, got ${o.players.length}`);
  const controller = new AbortController();
  let anchoredLines = 0;
  const say = (event: string, fields: LogFields = {}) =>
    o.log(`worker: ${event} ${JSON.stringify(fields)}`);
  const workerLog: Log = {
    info: (event, fields) =>
      event === "checkpoint_anchored" ? anchoredLines++ : say(event, fields),
    warning: say,
    error: (event, error, fields) => say(event, { ...fields, error: String(error) }),
    child: () => workerLog,
  };
  const worker = runAnchoring({
    db: o.workerDb.db,
    sql: o.workerDb.sql,
    chain: o.chain,
    batchSize: o.batchSize,
    maxAgeMs: o.maxAgeMs,
    pollMs: o.pollMs,
    signal: controller.signal,
    log: workerLog,
  });

  // Open loop: claim i is due at t0 + i / rate; at most maxInFlight outstanding (if the database
  // cannot keep up, the achieved rate shows it).
  const committedAt = new Float64Array(total).fill(Number.NaN);
  const latency = new Float64Array(total).fill(Number.NaN);
  const redemptionOf: Array<string | undefined> = new Array(total);
  let launched = 0;
  let inFlight = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = Date.now();
  const start = (i: number) => {
    inFlight++;
    const s = performance.now();
    claimDrop(o.claimDb, { dropId: o.dropId, playerId: o.players[i] as string })
      .then((r) => {
        committedAt[i] = Date.now();
        latency[i] = performance.now() - s;
        redemptionOf[i] = r.redemption.id;
      })
      .catch((error: Error) => {
        errors++;
        firstError ??= error.message;
      })
      .finally(() => {
        inFlight--;
      });
  };
  while (launched < total) {
    const due = Math.min(total, Math.floor(((Date.now() - t0) * o.rate) / 1000) + 1);
    while (launched < due && inFlight < o.maxInFlight) start(launched++);
    await sleep(2);
  }
  while (inFlight > 0) await sleep(5);
  const lastCommit = Math.max(...Array.from(committedAt).filter((t) => !Number.isNaN(t)));
  const ok = total - errors;
  o.log(
    `${ok} claims committed in ${((lastCommit - t0) / 1000).toFixed(1)} s; waiting for anchoring…`,
  );

  // Wait until the worker has anchored a checkpoint covering every entry.
  const drain0 = Date.now();
  for (;;) {
    const [row] = await o.workerDb.sql<
      Array<{ waiting: number; entries: number; anchored: number }>
    >`
      select (select count(*)::int from ledger_entries where leaf_index is null) as waiting,
             (select count(*)::int from ledger_entries) as entries,
             (select coalesce(max(tree_size), 0)::int from checkpoints where status = 'anchored') as anchored`;
    if (row && row.waiting === 0 && row.anchored >= row.entries) break;
    if (Date.now() - drain0 > 180_000)
      throw new Error(`not anchored after 180 s: ${JSON.stringify(row)}`);
    await sleep(50);
  }
  const drainMs = Date.now() - drain0;
  controller.abort();
  await worker;

  const entries = await o.workerDb.sql<Array<{ redemption_id: string; leaf_index: number }>>`
    select redemption_id, leaf_index::float8 as leaf_index from ledger_entries where kind = 'redemption'`;
  const leafOf = new Map(entries.map((e) => [e.redemption_id, e.leaf_index]));
  const cps = await o.workerDb.sql<Array<{ tree_size: number; at: number }>>`
    select tree_size::float8 as tree_size, extract(epoch from anchored_at)::float8 * 1000 as at
    from checkpoints where status = 'anchored' order by tree_size`;
  const anchoredAt = (leafIndex: number): number => {
    let lo = 0;
    let hi = cps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cps[mid]?.tree_size ?? 0) > leafIndex) hi = mid;
      else lo = mid + 1;
    }
    const cp = cps[lo];
    if (!cp || cp.tree_size <= leafIndex) throw new Error(`leaf ${leafIndex} is not anchored`);
    return cp.at;
  };
  const lags: number[] = [];
  for (let i = 0; i < total; i++) {
    const id = redemptionOf[i];
    if (id === undefined) continue;
    const leaf = leafOf.get(id);
    if (leaf === undefined) throw new Error(`redemption ${id} has no ledger entry`);
    lags.push(anchoredAt(leaf) - (committedAt[i] as number));
  }
  const sortedLag = Float64Array.from(lags).sort();
  const sortedLatency = Float64Array.from(latency.filter((v) => !Number.isNaN(v))).sort();
  return {
    offered: total,
    ok,
    errors,
    firstError,
    achievedRate: ok / ((lastCommit - t0) / 1000),
    claimP50: percentile(sortedLatency, 0.5),
    claimP99: percentile(sortedLatency, 0.99),
    lagP50: percentile(sortedLag, 0.5),
    lagP99: percentile(sortedLag, 0.99),
    lagMax: sortedLag[sortedLag.length - 1] ?? Number.NaN,
    anchoredCheckpoints: anchoredLines,
    meanCheckpointSize: anchoredLines > 0 ? ok / anchoredLines : Number.NaN,
    drainMs,
  };
}
