/**
 * `npm run test:faults`: claims under faults. For each fault, a fresh cluster (2 web instances
 * behind HAProxy, a worker, an embedded PostgreSQL and anvil; scripts/faults/cluster.ts), a burst
 * of claims at a fixed rate (scripts/faults/burst.ts), and in the middle of it one process is
 * SIGKILLed, then started again as a supervisor would. Afterwards every check must hold
 * (scripts/faults/checks.ts): every 201 is one redemption with one ledger leaf, nothing is lost or
 * sold twice, every leaf is anchored on chain (and every checkpoint the database calls anchored is
 * there), and clients saw only retryable errors. Recovery times are printed, never asserted.
 *
 *   --faults LIST   web,worker,chain,database (default all). For database the cluster's
 *                   PostgreSQL is a primary with a synchronous standby (scripts/lib/embedded-
 *                   replica.ts), promoted by the watchdog when the primary is killed; the app
 *                   reaches whichever is primary through a multi-host DATABASE_URL.
 *   --claims N      claims per run (default 2000), --rate N claims a second (default 100)
 *   --port-base N   ports N+50..N+59 (default 5000)
 * Exit code 1 when a check fails in any run.
 */
import { parseArgs } from "node:util";
import { createDb } from "@/db/client";
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
import { type Cluster, startCluster } from "./faults/cluster";
import { ensureProductionBuild } from "./lib/build";

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
/** A supervisor's pause before it starts a killed process again (systemd's RestartSec, say). */
const RESTART_DELAY_MS = 1_000;
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
        const facts = await checkAnchoring(sql, cluster.rpcUrl, cluster.contract);
        if (facts.chainSize >= target && facts.phantom === 0) return performance.now();
      } catch {
        // not back yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return undefined;
  })();
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
    .then(() => component.restart(pid))
    .then(async () => {
      log(`${fault}: started again`);
      if (fault !== "chain") return;
      const facts = await checkAnchoring(sql, cluster.rpcUrl, cluster.contract);
      log(
        `chain: back with checkpoint size ${facts.chainSize}; the database had recorded ` +
          `${anchoredBefore} anchored at the kill`,
      );
    });
  restarted.catch(() => {});
  return { at, restarted, anchorWatch: watchAnchoring(cluster, sql, stopWatch.signal), stopWatch };
}

/** The cluster of the run in progress: a signal stops it before the harness exits. */
let running: Cluster | undefined;
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the cluster`);
    void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function runFault(fault: Fault): Promise<Row> {
  const dataDir = `.data/faults/${fault}`;
  resetDir(dataDir);
  log(`${fault}: starting a cluster in ${dataDir}…`);
  const cluster = await startCluster({
    dataDir,
    ports: {
      balancer: BASE,
      pg: BASE + 1,
      chain: BASE + 2,
      web: [BASE + 3, BASE + 4],
      standby: BASE + 5,
    },
    // The primary's fault needs a standby to fail over to; the others keep one server.
    pair: fault === "database",
    // One shared address (the balancer's) for every client: the per-address limit would refuse
    // the crowd. Checkpoint transactions lost with the node are sent again after 20 s.
    env: { CLAIM_IP_RATE_LIMIT: "0", ANCHOR_TX_TIMEOUT_MS: "20000" },
    log: (line) => log(`${fault}: ${line}`),
  });
  running = cluster;
  const { db, sql } = createDb(cluster.databaseUrl, 4);
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
    const checks = createDb(cluster.databaseUrl, 2).sql;
    const anchor = await awaitAnchoring(
      checks,
      cluster.rpcUrl,
      cluster.contract,
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
    await cluster.stop();
    running = undefined;
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
  await ensureProductionBuild(log);
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
