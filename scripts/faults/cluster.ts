/**
 * The cluster a fault run breaks: an embedded PostgreSQL, anvil, N web instances (each its own
 * `dist/web-server.mjs` process on its own port) behind HAProxy, and one worker. Every piece is a
 * process of its own with a pid, so that one can be SIGKILLed and started again as a supervisor
 * would, while the others keep running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { migrateDatabase } from "@/db/migrate";
import { codeKeyEnvironment } from "@/lib/codes/code-crypto";
import { BUNDLE_DIR } from "../lib/bundle";
import {
  anvilBinary,
  CHAIN_ID,
  DEV_RECEIPT_KEY,
  type EmbeddedChain,
  startEmbeddedChain,
} from "../lib/embedded-chain";
import { startEmbeddedPostgres } from "../lib/embedded-postgres";
import { startEmbeddedPostgresPair } from "../lib/embedded-replica";
import { startFailoverWatchdog } from "../lib/failover-watchdog";
import { waitForHttp } from "../lib/stack";
import { startHaproxy } from "./haproxy";

export type Ports = {
  balancer: number;
  pg: number;
  /** The synchronous standby's, when the database is a pair. */
  standby: number;
  chain: number;
  web: number[];
};

/**
 * One process of the cluster: its pid now, and how it is back after `killedPid` was killed
 * (started again, or found started again by its supervisor) and ready.
 */
export type Component = {
  name: string;
  pid: () => number | undefined;
  restart: (killedPid: number) => Promise<void>;
};

export type Cluster = {
  baseUrl: string;
  databaseUrl: string;
  rpcUrl: string;
  contract: string;
  components: Record<"web" | "worker" | "chain" | "database", Component>;
  stop: () => Promise<void>;
};

type Child = { child: ChildProcess; exited: Promise<void> };

function spawnNode(script: string, env: Record<string, string>, logFile: string): Child {
  const out = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, exited };
}

function alive(c: Child | undefined): c is Child {
  return c !== undefined && c.child.exitCode === null && c.child.signalCode === null;
}

async function stopProcess(c: Child | undefined): Promise<void> {
  if (!alive(c)) return;
  c.child.kill("SIGTERM");
  const timer = setTimeout(() => c.child.kill("SIGKILL"), 15_000);
  await c.exited;
  clearTimeout(timer);
}

/**
 * Keeps a process running as start:cluster's supervisor does: whenever it ends, however it
 * ended (killed by the run, or dying of the fault of another), it is started again a second
 * later. `stop` ends it for good.
 */
function supervise(
  name: string,
  launch: () => Child,
  log: (line: string) => void,
): {
  pid: () => number | undefined;
  restarted: (killedPid: number) => Promise<void>;
  stop: () => Promise<void>;
} {
  let stopping = false;
  let current = launch();
  const watch = (c: Child) =>
    void c.exited.then(async () => {
      if (stopping) return;
      log(
        `${name} (pid ${c.child.pid}) ended (${c.child.signalCode ?? c.child.exitCode}): starting it again`,
      );
      await new Promise((r) => setTimeout(r, 1_000));
      if (stopping) return;
      current = launch();
      watch(current);
    });
  watch(current);
  return {
    pid: () => (alive(current) ? current.child.pid : undefined),
    restarted: async (killedPid) => {
      while (!alive(current) || current.child.pid === killedPid) {
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => {
      stopping = true;
      return stopProcess(current);
    },
  };
}

/** Waits until `url` serves, or fails the run. */
async function awaitServing(url: string, timeoutMs: number): Promise<void> {
  if (!(await waitForHttp(url, timeoutMs, () => {}))) {
    throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
  }
}

/** Anvil's pid: startEmbeddedChain keeps its child to itself, but it is ours in /proc. */
function anvilPid(port: number): number | undefined {
  const binary = anvilBinary();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmdline[0] === binary && cmdline.includes(String(port))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The postmaster's pid, from the first line of its pid file. */
function postmasterPid(dir: string): number | undefined {
  const file = path.join(dir, "postmaster.pid");
  if (!fs.existsSync(file)) return undefined;
  const pid = Number(fs.readFileSync(file, "utf8").split("\n")[0]);
  return pid > 0 ? pid : undefined;
}

type Database = { url: string; component: Component; stop: () => Promise<void> };

/**
 * One server, started again in place after a kill; or a pair, whose standby the watchdog
 * promotes when the primary is gone, after which "starting again" is what an operator does:
 * rebuilding the old primary as the new one's standby.
 */
async function startDatabase(
  pair: boolean,
  dir: string,
  ports: Ports,
  log: (line: string) => void,
): Promise<Database> {
  if (!pair) {
    let pg = await startEmbeddedPostgres(dir, ports.pg);
    return {
      url: pg.url,
      component: {
        name: "database",
        pid: () => postmasterPid(dir),
        restart: async () => {
          pg = await startEmbeddedPostgres(dir, ports.pg);
        },
      },
      stop: () => pg.stop(),
    };
  }
  const servers = await startEmbeddedPostgresPair({
    dir,
    primaryPort: ports.pg,
    standbyPort: ports.standby,
    log,
  });
  let promoted: () => void = () => {};
  const promotion = new Promise<void>((resolve) => {
    promoted = resolve;
  });
  const watchdog = startFailoverWatchdog(servers, { log, onPromoted: () => promoted() });
  return {
    url: servers.databaseUrl,
    component: {
      name: "database",
      pid: () => servers.primary.pid,
      restart: async () => {
        await promotion;
        log("database: promoted; rebuilding the old primary as the standby");
        await servers.rejoin();
      },
    },
    stop: async () => {
      await watchdog.stop();
      await servers.stop();
    },
  };
}

export async function startCluster(options: {
  dataDir: string;
  ports: Ports;
  /**
   * A primary with a synchronous standby that a watchdog promotes, the app given both servers in
   * one multi-host DATABASE_URL (scripts/lib/embedded-replica.ts); otherwise one server.
   */
  pair?: boolean;
  /** Extra environment for web instances and the worker. */
  env: Record<string, string>;
  log: (line: string) => void;
}): Promise<Cluster> {
  const { dataDir, ports, log } = options;
  fs.mkdirSync(dataDir, { recursive: true });
  const logs = path.join(dataDir, "logs");
  fs.mkdirSync(logs, { recursive: true });
  const pgDir = path.resolve(dataDir, "postgres");
  const chainDir = path.resolve(dataDir, "chain");
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const database = await startDatabase(options.pair ?? false, pgDir, ports, log);
    cleanups.push(database.stop);
    await migrateDatabase(database.url);
    let chain: EmbeddedChain = await startEmbeddedChain(chainDir, ports.chain, log);
    cleanups.push(() => chain.stop());

    const common: Record<string, string> = {
      ...codeKeyEnvironment(process.env, dataDir),
      DATABASE_URL: database.url,
      LEDGER_RPC_URL: chain.rpcUrl,
      LEDGER_PUBLIC_RPC_URL: chain.rpcUrl,
      LEDGER_CONTRACT: chain.contract,
      ANCHORER_KEY: chain.anchorerKey,
      LEDGER_CHAIN_ID: String(CHAIN_ID),
      LEDGER_DEPLOYMENT_BLOCK: String(chain.deploymentBlock),
      RECEIPT_SIGNING_KEY: DEV_RECEIPT_KEY,
      AUTH_SECRET: "faults-auth-secret-faults-auth-secret-0123",
      AUTH_TRUST_HOST: "true",
      MAIL_CAPTURE: "admins",
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
      PRIZELEDGER_DATA_DIR: path.resolve(dataDir),
      ...options.env,
    };
    // Exactly what scripts/lib/web-server.ts gives a web instance, one port each.
    const distDir = process.env.NEXT_DIST_DIR || ".next";
    const webEnv = (port: number) => ({
      ...common,
      NEXT_STANDALONE_DIR: path.resolve(distDir, "standalone"),
      NEXT_DIST_DIR: distDir,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
    });
    const webScript = path.resolve(BUNDLE_DIR, "web-server.mjs");
    const webHealth = (k: number) => `http://127.0.0.1:${ports.web[k]}/api/health`;
    const webs = ports.web.map((port, k) =>
      supervise(
        `web ${k}`,
        () => spawnNode(webScript, webEnv(port), path.join(logs, `web-${k}.log`)),
        log,
      ),
    );
    cleanups.push(() => Promise.all(webs.map((w) => w.stop())));
    await Promise.all(ports.web.map((_, k) => awaitServing(webHealth(k), 180_000)));

    const worker = supervise(
      "worker",
      () =>
        spawnNode(
          path.resolve(BUNDLE_DIR, "worker.mjs"),
          { ...common, PORT: String(ports.balancer) },
          path.join(logs, "worker.log"),
        ),
      log,
    );
    cleanups.push(worker.stop);

    const balancer = await startHaproxy({
      dir: path.resolve(dataDir, "haproxy"),
      port: ports.balancer,
      servers: ports.web,
    });
    cleanups.push(balancer.stop);
    const baseUrl = `http://127.0.0.1:${ports.balancer}`;
    await awaitServing(`${baseUrl}/api/health`, 30_000);

    return {
      baseUrl,
      databaseUrl: database.url,
      rpcUrl: chain.rpcUrl,
      contract: chain.contract,
      components: {
        // The first web instance: the balancer sends its share to the other while it is away.
        web: {
          name: "web",
          pid: () => webs[0]?.pid(),
          restart: async (killedPid) => {
            await webs[0]?.restarted(killedPid);
            await awaitServing(webHealth(0), 180_000);
          },
        },
        worker: { name: "worker", pid: worker.pid, restart: worker.restarted },
        chain: {
          name: "chain",
          pid: () => anvilPid(ports.chain),
          restart: async () => {
            chain = await startEmbeddedChain(chainDir, ports.chain, log);
          },
        },
        database: database.component,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
