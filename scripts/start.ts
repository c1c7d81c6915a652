/**
 * `npm start`: the whole product on one machine. Uses DATABASE_URL and the LEDGER_* settings when
 * given; otherwise starts an embedded PostgreSQL and a local chain, both keeping their state in
 * PRIZELEDGER_DATA_DIR. Then migrations, demo data (embedded database only), worker and web.
 */
import path from "node:path";
import { BUNDLE_DIR } from "./lib/bundle";
import { metricsBanner, metricsPorts } from "./lib/metrics-ports";
import { printReadably } from "./lib/pretty-logs";
import { loadEnvOrExit, startChild, stopChild } from "./lib/runtime";
import {
  exitCleanly,
  runInOwnProcessGroup,
  runningBanner,
  startStack,
  waitForHttp,
} from "./lib/stack";
import { webServerCommand } from "./lib/web-server";

const log = (line: string) => console.log(`[prizeledger] ${line}`);
const env = loadEnvOrExit("start");

// Ctrl-C must reach this script alone, not PostgreSQL (which takes SIGINT as "abort every
// transaction" while the web and worker still drain), so the first run only relays signals to a
// copy of itself in a process group of its own (and waits for its exit).
if (runInOwnProcessGroup()) await new Promise<never>(() => {});
const { cleanups, shutdown, isStopping } = exitCleanly(log);

async function main(): Promise<void> {
  const stack = await startStack(env, log, cleanups);
  const worker = startChild(
    "worker",
    process.execPath,
    [path.join(BUNDLE_DIR, "worker.mjs")],
    // The treasury's key goes to the worker alone: web instances face the internet.
    { ...stack.childEnv, ...stack.workerEnv, WORKER_PORT: String(metricsPorts(env, 0).worker) },
    printReadably,
  );
  cleanups.push(() => stopChild(worker.child, worker.exited));
  const server = webServerCommand(env);
  const web = startChild(
    "web",
    process.execPath,
    server.args,
    { ...stack.childEnv, ...server.env, METRICS_PORT: String(metricsPorts(env, 0).web) },
    printReadably,
  );
  cleanups.push(() => stopChild(web.child, web.exited));

  await waitForHttp(`http://localhost:${env.PORT}/api/health`, 60_000, log);
  console.log(runningBanner(env, stack, metricsBanner(env, 1, 1)));
  const code = await Promise.race([worker.exited, web.exited]);
  if (!isStopping()) {
    log(`a process exited (code ${code}); stopping the rest`);
    await shutdown(code ?? 1);
  }
}

main().catch(async (error: Error) => {
  console.error(`[prizeledger] start-up failed: ${error.message}`);
  await shutdown(1);
});
