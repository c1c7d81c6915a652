/**
 * The embedded database of `npm run start:cluster` (and so of `npm run test:faults`): a primary
 * with a synchronous streaming standby (embedded-replica.ts), a watchdog that promotes the standby
 * when the primary stops answering (failover-watchdog.ts), and, after a promotion, the old
 * primary rebuilt as the new one's standby, so that the pair can fail over again. A standby that
 * dies or hangs is dropped (commits stop waiting for it) and rebuilt the same way.
 */
import fs from "node:fs";
import path from "node:path";
import { runningEmbeddedPostgres } from "./embedded-postgres";
import { type EmbeddedPostgresPair, startEmbeddedPostgresPair } from "./embedded-replica";
import { startFailoverWatchdog } from "./failover-watchdog";
import type { Log } from "./stack";

export type ReplicatedDatabase = {
  /** Both servers in one URL, read-write only: the app reaches whichever is the primary. */
  url: string;
  pair: EmbeddedPostgresPair;
  /**
   * Resolves once the primary is no longer `killedPid` and the pair has a synchronous standby
   * again (promoted and rebuilt); rejects when the rebuild failed.
   */
  recovered: (killedPid: number) => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * A data directory `npm start` used keeps its one server in `single`; the pair's first start
 * moves it (never the running server's files) to be the pair's first primary, so the cluster
 * goes on with the same accounts, drops and ledger the chain beside it has anchored. Moved, not
 * copied: a copy left behind would go on being opened (installation.ts), stale, by npm start and
 * the installation's commands, which now follow the pair's primary instead.
 */
export function adoptSingleServer(single: string, pairDir: string, log: Log): void {
  const first = path.join(pairDir, "a");
  // pair.json or `a`: the pair exists (a `postgres` beside it is an old copy, installation.ts).
  if (fs.existsSync(path.join(pairDir, "pair.json")) || fs.existsSync(first)) return;
  if (!fs.existsSync(path.join(single, "PG_VERSION"))) return;
  if (runningEmbeddedPostgres(single) !== undefined) {
    throw new Error(
      `the PostgreSQL of ${single} is running (npm start?): stop it first, or run with --single-db`,
    );
  }
  log(`moving ${single} to ${first}: the pair goes on with its data, and npm start follows it`);
  fs.mkdirSync(pairDir, { recursive: true });
  // One rename: a crash leaves the database in one place or the other, never half-moved.
  fs.renameSync(single, first);
}

export async function startReplicatedDatabase(options: {
  dataDir: string;
  primaryPort: number;
  standbyPort: number;
  log: Log;
}): Promise<ReplicatedDatabase> {
  const { log } = options;
  const dir = path.join(options.dataDir, "postgres-pair");
  adoptSingleServer(path.join(options.dataDir, "postgres"), dir, log);
  // The servers' own lines (and the pair's copying and promoting) to a file beside them: every
  // connection refused during a failover would bury the terminal. The watchdog's and the
  // rebuild's lines below stay on it.
  const serverLog = path.join(dir, "postgres.log");
  fs.mkdirSync(dir, { recursive: true });
  const pair = await startEmbeddedPostgresPair({
    dir,
    primaryPort: options.primaryPort,
    standbyPort: options.standbyPort,
    log: (line) => fs.appendFileSync(serverLog, `${line}\n`),
  });
  log(`PostgreSQL's log: ${serverLog}`);
  let stopping = false;
  let rebuild: Promise<void> = Promise.resolve();
  let rebuildError: Error | undefined;
  const rejoin = async (which: string) => {
    log(`rebuilding ${which} as the primary's synchronous standby`);
    try {
      await pair.rejoin();
      log(`the standby is in sync again (primary port ${pair.primary.port})`);
    } catch (error) {
      if (stopping) return;
      rebuildError = error as Error;
      log(`could not rebuild the standby: ${rebuildError.message}; a restart rebuilds it`);
    }
  };
  const watchdog = startFailoverWatchdog(pair, {
    log,
    onPromoted: () => {
      if (!stopping) rebuild = rejoin("the old primary");
    },
    onStandbyDropped: () => {
      if (!stopping) rebuild = rejoin("the dropped standby");
    },
  });
  return {
    url: pair.databaseUrl,
    pair,
    recovered: async (killedPid) => {
      for (;;) {
        if (rebuildError) throw rebuildError;
        const primary = pair.primary.pid;
        if (primary !== undefined && primary !== killedPid && pair.standby) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      stopping = true;
      await watchdog.stop();
      // A rebuild in progress ends first: stopping its servers under it would leave half a copy.
      await rebuild;
      await pair.stop();
    },
  };
}
