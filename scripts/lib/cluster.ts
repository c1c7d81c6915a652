/**
 * The cluster of `npm run start:cluster`, and the one `npm run test:faults` breaks: what
 * `npm start` runs (stack.ts: database, chain, providers, build), with the embedded database as a
 * synchronous pair that fails over (replicated-database.ts), N web instances, each its own process
 * on its own port on 127.0.0.1, M workers, and HAProxy in front of them on PORT
 * (deploy/haproxy.cfg). An instance or worker that dies is started again; meanwhile the balancer
 * sends its requests to the others.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Env } from "../../lib/config/env";
import { type Backend, ensureHaproxy, writeHaproxyConfig } from "./balancer";
import { BUNDLE_DIR } from "./bundle";
import { anvilBinary } from "./embedded-chain";
import { portsProblem } from "./free-port";
import { metricsBanner, metricsPorts } from "./metrics-ports";
import { printReadably } from "./pretty-logs";
import { startChild, stopChild } from "./runtime";
import {
  type Log,
  runningBanner,
  type Stack,
  type Stopper,
  startStack,
  waitForHttp,
} from "./stack";
import { webServerCommand } from "./web-server";

export type ClusterOptions = {
  web: number;
  workers: number;
  /** The instances listen on this port and the next ones. */
  firstWebPort: number;
  /** The embedded database's standby's port; undefined: one server, no failover. */
  standbyPort: number | undefined;
  /**
   * Where a process's output goes: by default the instances' and workers' printed readably, their
   * name before each line, and the balancer's as it is.
   */
  output?: (name: string) => (child: ChildProcess) => Promise<void>;
};

/**
 * One process of the cluster, for the fault harness: its pid now, and how it is back after
 * `killedPid` was killed (started again by its supervisor, or by the hook itself) and ready.
 */
export type Component = {
  pid: () => number | undefined;
  restart: (killedPid: number) => Promise<void>;
};

export type Cluster = {
  /** The balancer, as this machine reaches it. */
  baseUrl: string;
  stack: Stack;
  /** What start:cluster prints once everything answers. */
  banner: () => string;
  components: Record<"web" | "worker" | "chain" | "database", Component>;
};

type Launched = ReturnType<typeof startChild>;
type Supervised = {
  pid: () => number | undefined;
  alive: () => boolean;
  /** Resolves once a process other than `killedPid` runs in its place. */
  restarted: (killedPid: number) => Promise<void>;
};

/**
 * Every port the cluster is about to listen on, and where: checked before anything starts, so
 * that a leftover instance or balancer cannot answer in place of ours, and no two of ours clash.
 */
function portUses(env: Env, options: ClusterOptions) {
  const loopback = "127.0.0.1";
  const metrics = env.METRICS_ADDRESS;
  const uses = [{ what: "the balancer (PORT)", port: env.PORT, host: env.LISTEN_ADDRESS }];
  for (let i = 0; i < options.web; i++) {
    uses.push({ what: `web${i + 1}`, port: options.firstWebPort + i, host: loopback });
    uses.push({ what: `web${i + 1}'s metrics`, port: metricsPorts(env, i).web, host: metrics });
  }
  for (let i = 0; i < options.workers; i++) {
    const port = metricsPorts(env, i).worker;
    if (port) uses.push({ what: `worker${i + 1}'s metrics`, port, host: metrics });
  }
  const embedded: Array<[string | undefined, string, number | undefined]> = [
    [env.DATABASE_URL, "the embedded PostgreSQL", env.EMBEDDED_PG_PORT],
    [env.DATABASE_URL, "the embedded PostgreSQL's standby", options.standbyPort],
    [env.LEDGER_RPC_URL, "the local chain", env.EMBEDDED_CHAIN_PORT],
    [env.PAYMENT_PROVIDER_URL, "the payment provider", env.EMBEDDED_PAYMENTS_PORT],
    [env.GIFTCARD_PROVIDER_URL, "the gift-card provider", env.EMBEDDED_GIFTCARD_PORT],
    [env.LOG_WITNESSES && "set", "the first witness", env.EMBEDDED_WITNESS_PORT],
    [env.LOG_WITNESSES && "set", "the second witness", env.EMBEDDED_WITNESS_PORT + 1],
  ];
  for (const [configured, what, port] of embedded) {
    if (!configured && port !== undefined) uses.push({ what, port, host: loopback });
  }
  return uses;
}

/** Where this machine reaches the balancer: its address, or loopback when it binds them all. */
function balancerHost(env: Env): string {
  const address = env.LISTEN_ADDRESS;
  if (address === "0.0.0.0" || address === "::") return "127.0.0.1";
  return address.includes(":") ? `[${address}]` : address;
}

/**
 * Runs a process and starts it again whenever it ends before we stop: at once after a long life,
 * with a growing pause (up to 30 s) when it keeps dying young, so a broken build does not spin.
 */
function keepRunning(name: string, launch: () => Launched, log: Log, stopper: Stopper): Supervised {
  let current = launch();
  let startedAt = Date.now();
  let pause = 500;
  stopper.cleanups.push(() => stopChild(current.child, current.exited));
  void (async () => {
    for (;;) {
      const code = await current.exited;
      if (stopper.isStopping()) return;
      const how = current.child.signalCode ?? `exit ${code}`;
      pause = Date.now() - startedAt < 10_000 ? Math.min(pause * 2, 30_000) : 500;
      log(`${name} (pid ${current.child.pid}) ended (${how}); starting it again in ${pause} ms`);
      await new Promise((r) => setTimeout(r, pause));
      if (stopper.isStopping()) return;
      current = launch();
      startedAt = Date.now();
      log(`${name} started again (pid ${current.child.pid})`);
    }
  })();
  const alive = () => current.child.exitCode === null && current.child.signalCode === null;
  const pid = () => (alive() ? current.child.pid : undefined);
  const restarted = async (killedPid: number) => {
    while (!alive() || current.child.pid === killedPid) {
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { pid, alive, restarted };
}

/** HAProxy's soft stop (SIGUSR1): no new connections, answers in flight finish; then it exits. */
async function stopBalancer(launched: Launched): Promise<void> {
  const { child, exited } = launched;
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGUSR1");
  // hard-stop-after in deploy/haproxy.cfg ends it after 10 s; this is for a balancer that hangs.
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited.finally(() => clearTimeout(timer));
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

/** Waits until `url` answers while `alive` holds, or fails the start naming `what`. */
async function awaitServing(url: string, what: string, log: Log, alive?: () => boolean) {
  // Up once it answers while its process lives (not a process that died, its port reused).
  if (!(await waitForHttp(url, 180_000, log, alive))) throw new Error(`${what} did not start`);
}

/** The fault harness's hooks; the chain and database ones only for embedded ones. */
function components(
  stack: Stack,
  env: Env,
  web: { supervised: Supervised; health: string } | undefined,
  worker: Supervised | undefined,
  log: Log,
): Cluster["components"] {
  const missing = (what: string) => async () => {
    throw new Error(`the cluster has no ${what} of its own to restart`);
  };
  return {
    web: {
      pid: () => web?.supervised.pid(),
      restart: async (killedPid) => {
        if (!web) throw new Error("the cluster has no web instance");
        await web.supervised.restarted(killedPid);
        await awaitServing(web.health, "the web instance", log, web.supervised.alive);
      },
    },
    worker: { pid: () => worker?.pid(), restart: worker?.restarted ?? missing("worker") },
    // start:cluster leaves an embedded chain that died dead (it is a development stand-in):
    // the fault harness starts it again, as a supervisor of a real node would.
    chain: {
      pid: () => (stack.restartChain ? anvilPid(env.EMBEDDED_CHAIN_PORT) : undefined),
      restart: stack.restartChain ?? missing("chain node"),
    },
    database: {
      pid: () => stack.replicated?.pair.primary.pid,
      restart: stack.replicated?.recovered ?? missing("failover pair"),
    },
  };
}

/**
 * HAProxy is always in front of the instances, so the socket's peer they see is always the
 * balancer's 127.0.0.1: with TRUSTED_PROXY_HOPS=0 (right for npm start alone) every client would
 * be that one address, and each per-address limit (claims, sign-in, drop streams) site-wide.
 */
export function proxyHopsProblem(env: Env): string | undefined {
  if (env.TRUSTED_PROXY_HOPS !== 0) return undefined;
  return (
    "TRUSTED_PROXY_HOPS=0 says no proxy is in front of the app, but start:cluster always puts " +
    "HAProxy in front of its instances: every client would count as 127.0.0.1, and the " +
    "per-address limits would be one limit for the whole site. Unset it (the default, 1, is the " +
    "balancer) or set the number of proxies in front, the balancer included"
  );
}

/**
 * Starts the cluster, pushing a stop for each part onto `stopper` (a failed start leaves the
 * stopping of what did start to its caller, as a signal during the start does).
 */
export async function startCluster(
  env: Env,
  options: ClusterOptions,
  log: Log,
  stopper: Stopper,
): Promise<Cluster> {
  const hopsProblem = proxyHopsProblem(env);
  if (hopsProblem) throw new Error(hopsProblem);
  const output =
    options.output ??
    ((name: string) => (child: ChildProcess) => printReadably(child, `[${name}] `));
  const haproxy = ensureHaproxy(log);
  const problem = await portsProblem(portUses(env, options));
  if (problem) throw new Error(problem);
  const stack = await startStack(env, log, stopper.cleanups, options.standbyPort);
  const stateDir = path.resolve(env.PRIZELEDGER_DATA_DIR, "cluster");
  const supervise = (name: string, launch: () => Launched) =>
    keepRunning(name, launch, log, stopper);

  const workers = Array.from({ length: options.workers }, (_, i) =>
    supervise(`worker${i + 1}`, () =>
      startChild(
        `worker${i + 1}`,
        process.execPath,
        [path.join(BUNDLE_DIR, "worker.mjs")],
        // The treasury's key goes to workers alone: web instances face the internet.
        { ...stack.childEnv, ...stack.workerEnv, WORKER_PORT: String(metricsPorts(env, i).worker) },
        output(`worker${i + 1}`),
      ),
    ),
  );

  const server = webServerCommand(env);
  const backends: Backend[] = Array.from({ length: options.web }, (_, i) => ({
    name: `web${i + 1}`,
    host: "127.0.0.1",
    port: options.firstWebPort + i,
  }));
  const health = (b: Backend) => `http://${b.host}:${b.port}/api/health`;
  const instances = backends.map((b, i) =>
    supervise(b.name, () =>
      startChild(
        b.name,
        process.execPath,
        server.args,
        {
          ...stack.childEnv,
          ...server.env,
          PORT: String(b.port),
          // Behind the balancer only: a client reaching an instance directly could name any
          // address in X-Forwarded-For.
          HOSTNAME: b.host,
          // One process each (not node:cluster): the balancer is what spreads the load.
          WEB_PROCESSES: "1",
          // Each its own metrics port, which the balancer does not forward.
          METRICS_PORT: String(metricsPorts(env, i).web),
          // Longer than the balancer keeps an idle connection, so it is HAProxy that closes
          // one, never the instance just as a request is sent on it.
          KEEP_ALIVE_TIMEOUT: process.env.KEEP_ALIVE_TIMEOUT ?? "65000",
        },
        output(b.name),
      ),
    ),
  );
  for (const [i, b] of backends.entries()) {
    await awaitServing(health(b), b.name, log, () => instances[i]?.alive() === true);
  }

  const config = writeHaproxyConfig(
    haproxy,
    stateDir,
    `${env.LISTEN_ADDRESS}:${env.PORT}`,
    backends,
  );
  let balancer: Launched | undefined;
  const balancerPid = supervise("balancer", () => {
    // HAProxy's own lines, on the terminal as they are unless told where.
    balancer = startChild(
      "balancer",
      haproxy,
      ["-db", "-f", config],
      {},
      options.output?.("balancer"),
    );
    return balancer;
  }).pid;
  // Before the instances' stops in the list, so it runs first: the balancer stops taking
  // requests and finishes those in flight while every instance is still there to answer them.
  stopper.cleanups.push(async () => balancer && (await stopBalancer(balancer)));
  const baseUrl = `http://${balancerHost(env)}:${env.PORT}`;
  const balancerUp = await waitForHttp(`${baseUrl}/api/health`, 60_000, log, () => {
    return balancer?.child.exitCode === null;
  });
  if (!balancerUp) throw new Error(`the balancer does not answer on port ${env.PORT}`);

  const banner = () => {
    const lines = [
      `    balancer  http://localhost:${env.PORT}  HAProxy, pid ${balancerPid()}, ${config}`,
      ...backends.map(
        (b, i) => `    ${b.name.padEnd(9)} http://${b.host}:${b.port}  pid ${instances[i]?.pid()}`,
      ),
      ...workers.map((w, i) => `    ${`worker${i + 1}`.padEnd(9)} pid ${w.pid()}`),
    ];
    const metrics = metricsBanner(env, options.web, options.workers);
    return runningBanner(env, stack, `  Cluster\n${lines.join("\n")}\n${metrics}`);
  };
  const first = backends[0] && instances[0];
  const web = first && { supervised: first, health: health(backends[0] as Backend) };
  return {
    baseUrl,
    stack,
    banner,
    components: components(stack, env, web || undefined, workers[0], log),
  };
}
