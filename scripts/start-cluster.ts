/**
 * `npm run start:cluster -- --web N --workers M`: what `npm start` runs (scripts/lib/stack.ts:
 * database, chain, providers, build), but with N web instances, each its own process on its own
 * port on 127.0.0.1, M workers, and HAProxy in front of them on PORT (deploy/haproxy.cfg). An
 * instance or worker that dies is started again; meanwhile the balancer sends its requests to the
 * others. Options:
 *   --web N              web instances (default 2)
 *   --workers M          workers (default 1; they take turns through PostgreSQL locks)
 *   --first-web-port P   the instances listen on P, P+1, … (default PORT+1)
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { type Backend, ensureHaproxy, writeHaproxyConfig } from "./lib/balancer";
import { BUNDLE_DIR } from "./lib/bundle";
import { printReadably } from "./lib/pretty-logs";
import { loadEnvOrExit, startChild, stopChild } from "./lib/runtime";
import { exitCleanly, type Log, runningBanner, startStack, waitForHttp } from "./lib/stack";
import { webServerCommand } from "./lib/web-server";

const log: Log = (line) => console.log(`[cluster] ${line}`);
const env = loadEnvOrExit("start:cluster");
const { cleanups, shutdown, isStopping } = exitCleanly(log);

/** A whole number from the command line within bounds, or an exit naming the option. */
function countOption(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    console.error(`start:cluster: --${name} must be a whole number from ${min} to ${max}`);
    process.exit(1);
  }
  return value;
}

const { values: args } = parseArgs({
  options: {
    web: { type: "string", default: "2" },
    workers: { type: "string", default: "1" },
    "first-web-port": { type: "string", default: String(env.PORT + 1) },
  },
});
const WEB = countOption("web", args.web, 1, 32);
const WORKERS = countOption("workers", args.workers, 0, 16);
const FIRST_WEB_PORT = countOption("first-web-port", args["first-web-port"], 1024, 65535 - WEB);
if (env.PORT >= FIRST_WEB_PORT && env.PORT < FIRST_WEB_PORT + WEB) {
  console.error(`start:cluster: PORT ${env.PORT} is among the instances' ports; move one`);
  process.exit(1);
}

type Launched = ReturnType<typeof startChild>;

/**
 * Runs a process and starts it again whenever it ends before we stop: at once after a long life,
 * with a growing pause (up to 30 s) when it keeps dying young, so a broken build does not spin.
 */
function keepRunning(name: string, launch: () => Launched): { pid: () => number | undefined } {
  let current = launch();
  let startedAt = Date.now();
  let pause = 500;
  cleanups.push(() => stopChild(current.child, current.exited));
  void (async () => {
    for (;;) {
      const code = await current.exited;
      if (isStopping()) return;
      const how = current.child.signalCode ?? `exit ${code}`;
      pause = Date.now() - startedAt < 10_000 ? Math.min(pause * 2, 30_000) : 500;
      log(`${name} (pid ${current.child.pid}) ended (${how}); starting it again in ${pause} ms`);
      await new Promise((r) => setTimeout(r, pause));
      if (isStopping()) return;
      current = launch();
      startedAt = Date.now();
      log(`${name} started again (pid ${current.child.pid})`);
    }
  })();
  return { pid: () => current.child.pid };
}

/** HAProxy's soft stop (SIGUSR1): no new connections, answers in flight finish; then it exits. */
async function stopBalancer(launched: Launched): Promise<void> {
  const { child, exited } = launched;
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGUSR1");
  // hard-stop-after in deploy/haproxy.cfg ends it after 10 s; this is for a balancer that hangs.
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited.finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const haproxy = ensureHaproxy(log);
  const stack = await startStack(env, log, cleanups);
  const stateDir = path.resolve(env.PRIZELEDGER_DATA_DIR, "cluster");

  const workers = Array.from({ length: WORKERS }, (_, i) =>
    keepRunning(`worker${i + 1}`, () =>
      startChild(
        `worker${i + 1}`,
        process.execPath,
        [path.join(BUNDLE_DIR, "worker.mjs")],
        // The treasury's key goes to workers alone: web instances face the internet.
        { ...stack.childEnv, ...stack.workerEnv },
        (child) => printReadably(child, `[worker${i + 1}] `),
      ),
    ),
  );

  const server = webServerCommand(env);
  const backends: Backend[] = Array.from({ length: WEB }, (_, i) => ({
    name: `web${i + 1}`,
    host: "127.0.0.1",
    port: FIRST_WEB_PORT + i,
  }));
  const instances = backends.map((b) =>
    keepRunning(b.name, () =>
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
          // Longer than the balancer keeps an idle connection, so it is HAProxy that closes
          // one, never the instance just as a request is sent on it.
          KEEP_ALIVE_TIMEOUT: process.env.KEEP_ALIVE_TIMEOUT ?? "65000",
        },
        (child) => printReadably(child, `[${b.name}] `),
      ),
    ),
  );
  for (const b of backends) {
    if (!(await waitForHttp(`http://${b.host}:${b.port}/api/health`, 120_000, log))) {
      throw new Error(`${b.name} did not start`);
    }
  }

  const config = writeHaproxyConfig(
    haproxy,
    stateDir,
    `${env.LISTEN_ADDRESS}:${env.PORT}`,
    backends,
  );
  let balancer: Launched | undefined;
  const balancerPid = keepRunning("balancer", () => {
    balancer = startChild("balancer", haproxy, ["-db", "-f", config], {});
    return balancer;
  }).pid;
  // Before the instances' stops in the list, so it runs first: the balancer stops taking
  // requests and finishes those in flight while every instance is still there to answer them.
  cleanups.push(async () => balancer && (await stopBalancer(balancer)));
  if (!(await waitForHttp(`http://127.0.0.1:${env.PORT}/api/health`, 60_000, log))) {
    throw new Error(`the balancer does not answer on port ${env.PORT}`);
  }

  const lines = [
    `    balancer  http://localhost:${env.PORT}  HAProxy, pid ${balancerPid()}, ${config}`,
    ...backends.map(
      (b, i) => `    ${b.name.padEnd(9)} http://${b.host}:${b.port}  pid ${instances[i]?.pid()}`,
    ),
    ...workers.map((w, i) => `    ${`worker${i + 1}`.padEnd(9)} pid ${w.pid()}`),
  ];
  console.log(runningBanner(env, stack, `  Cluster\n${lines.join("\n")}\n`));
}

main().catch(async (error: Error) => {
  console.error(`[cluster] start-up failed: ${error.message}`);
  await shutdown(1);
});
