/**
 * `npm run test:faults`: claims under faults. For each fault, a fresh cluster, the one
 * `npm run start:cluster` runs (scripts/lib/cluster.ts: 2 web instances behind HAProxy, a worker,
 * the embedded PostgreSQL as a synchronous pair with its failover watchdog, anvil), a burst of
 * claims at a fixed rate (scripts/faults/burst.ts), and in the middle of it one process is
 * SIGKILLed. The cluster's supervisor starts a web instance or worker again; the watchdog promotes
 * the standby when the primary dies and the old primary is rebuilt as the new standby; the chain
 * node is started again by this harness. Afterwards every check must hold
 * (scripts/faults/checks.ts): every 201 is one redemption with one ledger leaf, nothing is lost or
 * sold twice, every leaf is anchored on chain (and every checkpoint the database calls anchored is
 * there), and clients saw only retryable errors. Recovery times are printed, never asserted.
 *
 *   --faults LIST   web,worker,chain,database (default all)
 *   --claims N      claims per run (default 2000), --rate N claims a second (default 100)
 *   --port-base N   ports N+50..N+60 (default 5000)
 * Exit code 1 when a check fails in any run.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb } from "@/db/client";
import { type Env, parseEnv } from "@/lib/config/env";
import { resetDir } from "./bench/app";
import { seedLoad } from "./bench/seed";
import { type ClaimLog, runBurst } from "./faults/burst";
import {
  type AnchorFacts,
  awaitAnchoring,
  checkAnchoring,
  checkDrop,
  type DropFacts,
} from "./faults/checks";
import { type Cluster, startCluster } from "./lib/cluster";
import { stopper } from "./lib/stack";

type Sql = ReturnType<typeof createDb>["sql"];

const FAULTS = ["web", "worker", "chain", "database"] as const;
type Fault = (typeof FAULTS)[number];

const { values: args } = parseArgs({
  options: {
    faults: { type: "string", default: FAULTS.join(",") },
    claims: { type: "string", default: "2000" },
    rate: { type: "string", default: "100" },
    "port-base": { type: "string", default: "5000" },
  },
});
const CLAIMS = Number(args.claims);
const RATE = Number(args.rate);
const BASE = Number(args["port-base"]) + 50;
/** The pause before the harness starts the chain node again (systemd's RestartSec, say). */
const RESTART_DELAY_MS = 1_000;
/** Only there so that a recovery that never comes fails the run instead of hanging it. */
const RECOVERY_DEADLINE_MS = 300_000;
const CLIENT_DEADLINE_MS = 120_000;
const ANCHOR_DEADLINE_MS = 240_000;

const log = (line: string) => console.log(`[faults] ${line}`);

type Row = {
  fault: Fault;
  /** Why the run could not be completed: a failure like any check's. */
  error?: string;
  sent: number;
  drop?: DropFacts;
  anchor?: AnchorFacts;
  clientRecoveryMs?: number;
  anchorRecoveryMs?: number;
  retryable: Record<string, number>;
};

function failures(row: Row): string[] {
  const { drop, anchor } = row;
  if (row.error) return [`the run could not complete: ${row.error}`];
  if (!drop || !anchor) return [];
  const problems: Array<[number, string]> = [
    [drop.lost, "lost"],
    [drop.doubled, "doubled"],
    [drop.leafless, "redemptions without exactly one leaf"],
    [drop.unitMismatch, "units claimed ≠ redemptions"],
    [drop.nonRetryable, `non-retryable answers (first: ${drop.firstNonRetryable})`],
    [drop.unanswered, "clients still told to retry at their deadline"],
    [anchor.unanchored, "leaves not anchored on chain"],
    [anchor.phantom, "checkpoints recorded as anchored that the chain does not hold"],
  ];
  return problems.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
}

/** Kill to the last answer of a client that was told to retry after the kill. */
function clientRecovery(logs: ClaimLog[], killedAt: number): number | undefined {
  let worst: number | undefined;
  for (const l of logs) {
    if (l.answeredAt === undefined || !l.retryableAt.some((t) => t >= killedAt)) continue;
    worst = Math.max(worst ?? 0, l.answeredAt - killedAt);
  }
  return worst;
}

/** Polls until the chain covers the log as it stood at the kill; resolves when it first does. */
function watchAnchoring(
  cluster: Cluster,
  sql: Sql,
  signal: AbortSignal,
): Promise<number | undefined> {
  return (async () => {
    let target: number | undefined;
    while (!signal.aborted) {
      // Either may fail while the killed process is away (the database's, the chain's): ask again.
      try {
        if (target === undefined) {
          const [row] = await sql<Array<{ size: number }>>`
            select count(*)::int as size from ledger_entries`;
          target = row?.size ?? 0;
        }
        const facts = await checkAnchoring(
          sql,
          cluster.stack.ledgerRpcUrl,
          cluster.stack.ledgerContract,
        );
        if (facts.chainSize >= target && facts.phantom === 0) return performance.now();
      } catch {
        // not back yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return undefined;
  })();
}

/** `work`, or an error naming `what` when it has not settled after `ms`. */
function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

type Killed = {
  at: number;
  restarted: Promise<void>;
  anchorWatch: Promise<number | undefined>;
  stopWatch: AbortController;
};

/** The largest checkpoint the database records as anchored. */
async function anchoredSize(sql: Sql): Promise<number> {
  const [row] = await sql<Array<{ size: number | null }>>`
    select max(tree_size)::int as size from checkpoints where status = 'anchored'`;
  return row?.size ?? 0;
}

/**
 * SIGKILLs the fault's process and starts it again after RESTART_DELAY_MS. The chain node is
 * killed just after a checkpoint was recorded anchored: anvil saves its state every second, so
 * it then comes back without that block, which is the case the anchoring job must repair.
 */
async function killAndRestart(fault: Fault, cluster: Cluster, sql: Sql): Promise<Killed> {
  const component = cluster.components[fault];
  if (fault === "chain") {
    const before = await anchoredSize(sql);
    const deadline = performance.now() + 10_000;
    while ((await anchoredSize(sql)) <= before && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const anchoredBefore = await anchoredSize(sql);
  const pid = component.pid();
  if (!pid) throw new Error(`${fault}: no process to kill`);
  process.kill(pid, "SIGKILL");
  const at = performance.now();
  log(`${fault}: killed pid ${pid}`);
  const stopWatch = new AbortController();
  const restarted = new Promise((r) => setTimeout(r, RESTART_DELAY_MS))
    .then(() => withDeadline(component.restart(pid), RECOVERY_DEADLINE_MS, `${fault} recovery`))
    .then(async () => {
      log(`${fault}: started again`);
      if (fault !== "chain") return;
      const facts = await checkAnchoring(
        sql,
        cluster.stack.ledgerRpcUrl,
        cluster.stack.ledgerContract,
      );
      log(
        `chain: back with checkpoint size ${facts.chainSize}; the database had recorded ` +
          `${anchoredBefore} anchored at the kill`,
      );
    });
  restarted.catch(() => {});
  return { at, restarted, anchorWatch: watchAnchoring(cluster, sql, stopWatch.signal), stopWatch };
}

/** Stops the cluster of the run in progress: a signal stops it before the harness exits. */
let stopCluster: (() => Promise<void>) | undefined;
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the cluster`);
    void (stopCluster?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

/**
 * The environment of a run's cluster: ports from the port base, a data directory of its own, and
 * nothing of this shell's database or chain (the cluster starts its own).
 */
function clusterEnv(dataDir: string): Env {
  for (const name of ["DATABASE_URL", "LEDGER_RPC_URL", "LEDGER_CONTRACT", "ANCHORER_KEY"]) {
    delete process.env[name];
  }
  Object.assign(process.env, {
    PRIZELEDGER_DATA_DIR: dataDir,
    PORT: String(BASE),
    LISTEN_ADDRESS: "127.0.0.1",
    EMBEDDED_PG_PORT: String(BASE + 3),
    EMBEDDED_CHAIN_PORT: String(BASE + 5),
    EMBEDDED_PAYMENTS_PORT: String(BASE + 6),
    EMBEDDED_GIFTCARD_PORT: String(BASE + 7),
    EMBEDDED_WITNESS_PORT: String(BASE + 12),
    METRICS_PORT: String(BASE + 8),
    WORKER_PORT: String(BASE + 10),
    NODE_ENV: "production",
    // One shared address (the balancer's) for every client: the per-address limit would refuse
    // the crowd. Checkpoint transactions lost with the node are sent again after 20 s.
    CLAIM_IP_RATE_LIMIT: "0",
    ANCHOR_TX_TIMEOUT_MS: "20000",
  });
  return parseEnv();
}

/** The instances', the worker's and the balancer's output: to files, not the table's terminal. */
function logToFile(dir: string) {
  return (name: string) => async (child: ChildProcess) => {
    const file = fs.createWriteStream(path.join(dir, `${name}.log`), { flags: "a" });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  };
}

async function runFault(fault: Fault): Promise<Row> {
  const dataDir = `.data/faults/${fault}`;
  resetDir(dataDir);
  const logs = path.join(dataDir, "logs");
  fs.mkdirSync(logs, { recursive: true });
  log(`${fault}: starting a cluster in ${dataDir}…`);
  const parts = stopper(() => {});
  stopCluster = parts.stop;
  // The cluster npm run start:cluster runs, as it runs it: on the failover pair, supervised.
  const cluster = await startCluster(
    clusterEnv(dataDir),
    { web: 2, workers: 1, firstWebPort: BASE + 1, standbyPort: BASE + 4, output: logToFile(logs) },
    (line) => log(`${fault}: ${line}`),
    parts,
  ).catch(async (error: Error) => {
    await parts.stop();
    throw error;
  });
  const { db, sql } = createDb(cluster.stack.databaseUrl, 4);
  try {
    const seed = await seedLoad(db, sql, { players: CLAIMS, units: CLAIMS + 100 });
    let killing: Promise<Killed> | undefined;
    log(`${fault}: ${CLAIMS} claims at ${RATE}/s on drop ${seed.dropId}; SIGKILL at the middle`);
    const logs = await runBurst({
      baseUrl: cluster.baseUrl,
      dropId: seed.dropId,
      players: seed.players,
      rate: RATE,
      clientDeadlineMs: CLIENT_DEADLINE_MS,
      onProgress: (sent) => {
        if (sent !== Math.floor(CLAIMS / 2)) return;
        killing = killAndRestart(fault, cluster, sql);
        // Awaited after the burst; until then a failure must not end the run unhandled.
        killing.catch(() => {});
      },
    });
    const killed = await killing;
    if (!killed) throw new Error(`${fault}: the burst ended before its middle`);
    await killed.restarted;
    log(`${fault}: burst over; waiting for the anchoring to catch up…`);
    // A pool of its own: one that lived through the primary's death may hold a connection whose
    // writes never settle (postgres.js, see docs/BENCHMARKS.md), and the checks must not hang.
    const checks = createDb(cluster.stack.databaseUrl, 2).sql;
    const anchor = await awaitAnchoring(
      checks,
      cluster.stack.ledgerRpcUrl,
      cluster.stack.ledgerContract,
      ANCHOR_DEADLINE_MS,
    );
    killed.stopWatch.abort();
    const anchoredAt = await Promise.race([
      killed.anchorWatch,
      new Promise<undefined>((r) => setTimeout(r, 5_000)),
    ]);
    const killedAt = killed.at;
    const retryable: Record<string, number> = {};
    for (const l of logs) {
      for (const [kind, n] of Object.entries(l.retryableKinds)) {
        retryable[kind] = (retryable[kind] ?? 0) + n;
      }
    }
    return {
      fault,
      sent: logs.length,
      drop: await checkDrop(checks, seed.dropId, logs).finally(() => checks.end()),
      anchor,
      clientRecoveryMs: clientRecovery(logs, killedAt),
      anchorRecoveryMs: anchoredAt === undefined ? undefined : anchoredAt - killedAt,
      retryable,
    };
  } finally {
    await Promise.race([sql.end({ timeout: 1 }), new Promise((r) => setTimeout(r, 5_000))]);
    log(`${fault}: stopping the cluster`);
    await parts.stop();
    stopCluster = undefined;
  }
}

const seconds = (ms: number | undefined) =>
  ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;

function printTable(rows: Row[]): void {
  const head = [
    "fault",
    "sent",
    "acknowledged",
    "lost",
    "doubled",
    "unanchored",
    "non-retryable",
    "recovery: clients",
    "anchoring",
    "checks",
  ];
  const cells = rows.map((r) =>
    r.error
      ? [r.fault, "-", "-", "-", "-", "-", "-", "-", "-", "FAIL"]
      : [
          r.fault,
          String(r.sent),
          String(r.drop?.acknowledged),
          String(r.drop?.lost),
          String(r.drop?.doubled),
          String(r.anchor?.unanchored),
          String(r.drop?.nonRetryable),
          seconds(r.clientRecoveryMs),
          seconds(r.anchorRecoveryMs),
          failures(r).length === 0 ? "pass" : "FAIL",
        ],
  );
  const widths = head.map((h, k) => Math.max(h.length, ...cells.map((c) => (c[k] ?? "").length)));
  const line = (c: string[]) =>
    `| ${c.map((v, k) => (k === c.length - 1 ? v : v.padEnd(widths[k] ?? 0))).join(" | ")} |`;
  console.log(`\n${line(head)}`);
  console.log(`|${widths.map((w, k) => "-".repeat(k === head.length - 1 ? 8 : w + 2)).join("|")}|`);
  for (const c of cells) console.log(line(c));
  for (const r of rows) {
    const kinds = Object.entries(r.retryable)
      .map(([k, n]) => `${k}×${n}`)
      .join(", ");
    if (kinds) console.log(`  ${r.fault}: retryable answers seen: ${kinds}`);
    for (const problem of failures(r)) console.log(`  ${r.fault}: FAILED: ${problem}`);
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  const faults = args.faults.split(",") as Fault[];
  const unknown = faults.filter((f) => !FAULTS.includes(f));
  if (unknown.length > 0) {
    console.error(`unknown fault ${unknown.join(", ")}: choose from ${FAULTS.join(", ")}`);
    return 2;
  }
  if (!(CLAIMS > 1 && RATE > 0)) {
    console.error("--claims must be at least 2 and --rate positive");
    return 2;
  }
  const rows: Row[] = [];
  for (const fault of faults) {
    try {
      rows.push(await runFault(fault));
    } catch (error) {
      log(`${fault}: ${(error as Error).stack ?? error}`);
      rows.push({ fault, sent: 0, retryable: {}, error: (error as Error).message });
    }
  }
  printTable(rows);
  const failed = rows.filter((r) => failures(r).length > 0);
  console.log(
    `\ntest:faults took ${((performance.now() - started) / 1000).toFixed(0)} s: ` +
      (failed.length === 0
        ? "every check held"
        : `checks FAILED in ${failed.map((r) => r.fault).join(", ")}`),
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`test:faults failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
