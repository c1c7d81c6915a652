/**
 * Starts the whole app the way `npm start` does (scripts/start.ts: embedded PostgreSQL, local
 * chain, worker, the standalone web server), or `npm run start:cluster` does (web instances
 * behind HAProxy), on ports and a data directory of its own, and stops it again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pairDatabaseUrl } from "../lib/embedded-replica";
import { tsxArgs } from "../lib/runtime";

export type BenchApp = {
  baseUrl: string;
  databaseUrl: string;
  /** The web server's processes (several with WEB_PROCESSES or a cluster), for CPU accounting. */
  webPids: () => number[];
  /** The load balancer's processes (none without a cluster). */
  balancerPids: () => number[];
  /** The worker's processes, which `--http-paths paused` stops during its load. */
  workerPids: () => number[];
  /** Every line the app has printed so far. */
  output: () => string[];
  stop: () => Promise<void>;
};

export type AppOptions = {
  dataDir: string;
  port: number;
  pgPort: number;
  chainPort: number;
  distDir: string;
  /** Extra NODE_OPTIONS for the app's processes (e.g. --cpu-prof). */
  nodeOptions?: string;
  /** WEB_PROCESSES for the web server. */
  webProcesses?: number;
  /** This many web instances behind the cluster's balancer (start:cluster) instead. */
  cluster?: number;
  /**
   * The cluster's database as start:cluster runs it by default, a failover pair with its standby
   * on this port; without it, one server (--single-db), as the benchmarks measured.
   */
  standbyPort?: number;
  log: (line: string) => void;
};

function childrenOf(pid: number): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== pid) continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      out.push({ pid: Number(entry), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function descendants(pid: number): Array<{ pid: number; cmdline: string }> {
  const direct = childrenOf(pid);
  return direct.concat(direct.flatMap((c) => descendants(c.pid)));
}

export async function startApp(options: AppOptions): Promise<BenchApp> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PRIZELEDGER_DATA_DIR: options.dataDir,
    PORT: String(options.port),
    EMBEDDED_PG_PORT: String(options.pgPort),
    EMBEDDED_CHAIN_PORT: String(options.chainPort),
    NEXT_DIST_DIR: options.distDir,
    NODE_ENV: "production",
    WEB_PROCESSES: String(options.webProcesses ?? 1),
    // Beside `npm start` on the same machine, the default metrics ports (9500, 9465) are taken.
    METRICS_PORT: String(options.port + 20),
    WORKER_PORT: String(options.port + 60),
  };
  // The app must start its own database and chain, whatever this shell has configured.
  for (const name of ["DATABASE_URL", "LEDGER_RPC_URL", "LEDGER_CONTRACT", "ANCHORER_KEY"]) {
    delete env[name];
  }
  if (options.nodeOptions) env.NODE_OPTIONS = options.nodeOptions;
  // The bench names each client in X-Forwarded-For, as a CDN in front of the balancer would;
  // the balancer appends its own peer, so the client is the second entry from the right.
  if (options.cluster) env.TRUSTED_PROXY_HOPS = "2";
  const database = options.standbyPort
    ? ["--standby-port", String(options.standbyPort)]
    : ["--single-db"];
  const script = options.cluster
    ? tsxArgs(
        "scripts/start-cluster.ts",
        "--web",
        String(options.cluster),
        "--workers",
        "1",
        ...database,
      )
    : tsxArgs("scripts/start.ts");
  const child: ChildProcess = spawn(process.execPath, script, {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line.trim()) continue;
      output.push(line);
      if (/error|fail|building|seeded|started|running/i.test(line)) options.log(`app: ${line}`);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  process.once("exit", () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });

  const baseUrl = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the app exited during start-up:\n${output.slice(-30).join("\n")}`);
    }
    if (output.some((l) => l.includes("Prizeledger is running"))) break;
    if (Date.now() > deadline) throw new Error("the app did not start within 10 minutes");
    await new Promise((r) => setTimeout(r, 500));
  }
  const pidsOf = (command: RegExp) => () =>
    descendants(child.pid as number)
      .filter((c) => command.test(c.cmdline))
      .map((c) => c.pid);
  return {
    baseUrl,
    databaseUrl:
      options.cluster && options.standbyPort
        ? pairDatabaseUrl([options.pgPort, options.standbyPort])
        : `postgres://prizeledger:prizeledger@127.0.0.1:${options.pgPort}/prizeledger`,
    output: () => [...output],
    webPids: pidsOf(/web-server\.mjs|next-server/),
    balancerPids: pidsOf(/haproxy/),
    workerPids: pidsOf(/worker\.mjs/),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function resetDir(dir: string): void {
  fs.rmSync(path.resolve(dir), { recursive: true, force: true });
}
