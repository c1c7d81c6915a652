/**
 * `npm run start:cluster -- --web N --workers M`: what `npm start` runs, with N web instances
 * behind HAProxy on PORT, M workers, and the embedded database as a primary with a synchronous
 * standby that a watchdog promotes when the primary dies (scripts/lib/cluster.ts). Options:
 *   --web N              web instances (default 2)
 *   --workers M          workers (default 1; they take turns through PostgreSQL locks)
 *   --first-web-port P   the instances listen on P, P+1, … (default PORT+1)
 *   --standby-port P     the embedded database's standby (default EMBEDDED_PG_PORT+1)
 *   --single-db          one embedded PostgreSQL, no standby and no failover (a quicker start)
 */
import { parseArgs } from "node:util";
import { startCluster } from "./lib/cluster";
import { loadEnvOrExit } from "./lib/runtime";
import { exitCleanly, type Log, runInOwnProcessGroup, stopper } from "./lib/stack";

const log: Log = (line) => console.log(`[cluster] ${line}`);
const env = loadEnvOrExit("start:cluster");

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
    "standby-port": { type: "string", default: String(env.EMBEDDED_PG_PORT + 1) },
    "single-db": { type: "boolean", default: false },
  },
});
const WEB = countOption("web", args.web, 1, 32);
const WORKERS = countOption("workers", args.workers, 0, 16);
const FIRST_WEB_PORT = countOption("first-web-port", args["first-web-port"], 1024, 65535 - WEB);
const STANDBY_PORT = args["single-db"]
  ? undefined
  : countOption("standby-port", args["standby-port"], 1024, 65535);
if (env.PORT >= FIRST_WEB_PORT && env.PORT < FIRST_WEB_PORT + WEB) {
  console.error(`start:cluster: PORT ${env.PORT} is among the instances' ports; move one`);
  process.exit(1);
}

// Ctrl-C must reach this script alone, not HAProxy and PostgreSQL, so the first run only relays
// signals to a copy of itself in a process group of its own (and waits for its exit).
if (runInOwnProcessGroup()) await new Promise<never>(() => {});
const { cleanups, shutdown } = exitCleanly(log);

async function main(): Promise<void> {
  // The cluster's own stops run as one, in its order, when this script stops.
  const cluster = stopper(() => {});
  cleanups.push(cluster.stop);
  const options = { web: WEB, workers: WORKERS, firstWebPort: FIRST_WEB_PORT };
  const started = await startCluster(env, { ...options, standbyPort: STANDBY_PORT }, log, cluster);
  console.log(started.banner());
}

main().catch(async (error: Error) => {
  console.error(`[cluster] start-up failed: ${error.message}`);
  await shutdown(1);
});
