/**
 * Where a command (seed:load, otp, lottery:replay, accounts…) finds the installation's database:
 * DATABASE_URL when set; otherwise the embedded PostgreSQL of PRIZELEDGER_DATA_DIR, used where it
 * runs while npm start (or start:cluster) runs it, or else started from its data directory (on
 * EMBEDDED_PG_PORT) for the command's duration and stopped after.
 *
 * The embedded database is `postgres` until `npm run start:cluster` first runs on the directory:
 * that moves it into the failover pair (`postgres-pair`, replicated-database.ts), and from then
 * on the database is whichever of the pair's two servers pair.json names the primary. Everything
 * here, `npm start` and `start:cluster --single-db` included, follows it there: never a copy.
 */
import fs from "node:fs";
import path from "node:path";
import { type Env, parseEnv } from "../../lib/config/env";
import {
  type EmbeddedDatabase,
  embeddedPostgresUrl,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
} from "./embedded-postgres";

export type InstallationDatabase = {
  url: string;
  /** Stops the embedded server if this command started it; leaves anyone else's running. */
  close: () => Promise<void>;
};

/** There is nothing to work on yet: no DATABASE_URL and no embedded cluster. */
export class NoInstallationError extends Error {
  constructor(dir: string) {
    super(
      `no Prizeledger installation: ${dir} holds no database. Run npm start first, ` +
        "or set DATABASE_URL to work on another database",
    );
    this.name = "NoInstallationError";
  }
}

/** The embedded database's files: npm start's one server, or the failover pair's primary. */
export type EmbeddedDatabaseDir = {
  dir: string;
  /** The pair's directory, when the database is the pair's primary. */
  pair?: string;
  /** A `postgres` directory the pair was copied from before it was moved instead: out of date. */
  stale?: string;
};

/**
 * Which directory holds the installation's embedded database. The pair wins over `postgres` as
 * soon as it exists: a data directory from before the pair moved its source (it copied it) has
 * both, and the copy left behind is older than the pair.
 */
export function embeddedDatabaseDir(dataDir: string): EmbeddedDatabaseDir {
  const single = path.resolve(dataDir, "postgres");
  const pair = path.resolve(dataDir, "postgres-pair");
  const pairFile = path.join(pair, "pair.json");
  const hasCluster = (dir: string) => fs.existsSync(path.join(dir, "PG_VERSION"));
  if (!fs.existsSync(pairFile) && !hasCluster(path.join(pair, "a"))) return { dir: single };
  const stale = hasCluster(single) ? single : undefined;
  return { dir: path.join(pair, pairPrimary(pairFile)), pair, stale };
}

/**
 * The primary pair.json names. Read only: the pair writes it (embedded-replica.ts) before any
 * promotion, so it is the one word on which server has the latest commits. Without it the pair
 * never got past its set-up, when `a` is the primary.
 */
function pairPrimary(pairFile: string): "a" | "b" {
  if (!fs.existsSync(pairFile)) return "a";
  let primary: unknown;
  try {
    ({ primary } = JSON.parse(fs.readFileSync(pairFile, "utf8")) as { primary?: unknown });
  } catch {
    // Named below.
  }
  if (primary !== "a" && primary !== "b") {
    throw new Error(`${pairFile} names no primary: write {"primary": "a"} or {"primary": "b"}`);
  }
  return primary;
}

/** What to tell the operator about where the embedded database is, and an out-of-date copy. */
export function embeddedDatabaseNotes(where: EmbeddedDatabaseDir): string[] {
  const notes: string[] = [];
  if (where.pair) {
    notes.push(
      `the database is start:cluster's failover pair (${where.pair}): ` +
        `its primary, ${path.basename(where.dir)}, runs alone, with no standby, until start:cluster runs it again`,
    );
  }
  if (where.stale) {
    notes.push(
      `${where.stale} is the out-of-date copy the pair was made from; nothing uses it: delete it`,
    );
  }
  return notes;
}

/** Before a start of the database: npm start or start:cluster on the same data directory. */
export function refuseIfRunning(where: EmbeddedDatabaseDir): void {
  const running = runningEmbeddedPostgres(where.dir);
  if (running === undefined) return;
  throw new Error(
    `the PostgreSQL of ${where.dir} already runs (port ${running}): npm start or start:cluster ` +
      "is running on this data directory; stop it first",
  );
}

/**
 * Starts the installation's embedded database alone, for npm start or one command. The pair's
 * primary runs without its standby: its synchronous_standby_names (ALTER SYSTEM, set by the pair)
 * is overridden for this run, or every commit would wait for a standby that is not there; the
 * standby catches up from its replication slot when start:cluster runs the pair again.
 */
export async function startInstallationDatabase(
  where: EmbeddedDatabaseDir,
  port: number,
  log: (line: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  refuseIfRunning(where);
  if (!where.pair) return startEmbeddedPostgres(where.dir, port, log);
  // A standby named primary in pair.json was being promoted when everything stopped: without
  // standby.signal it ends its recovery and comes up as the primary (as the pair does).
  fs.rmSync(path.join(where.dir, "standby.signal"), { force: true });
  return startEmbeddedPostgres(where.dir, port, log, ["-c", "synchronous_standby_names="]);
}

export async function openInstallationDatabase(
  config: Env = parseEnv(),
): Promise<InstallationDatabase> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, close: async () => {} };
  const where = embeddedDatabaseDir(config.PRIZELEDGER_DATA_DIR);
  // Checked first: starting the embedded server on an empty directory would make a new cluster.
  if (!fs.existsSync(path.join(where.dir, "PG_VERSION"))) throw new NoInstallationError(where.dir);
  if (where.stale) console.error(embeddedDatabaseNotes({ ...where, pair: undefined }).join("\n"));
  const running = runningEmbeddedPostgres(where.dir);
  if (running !== undefined) return { url: embeddedPostgresUrl(running), close: async () => {} };
  const pg = await startInstallationDatabase(where, config.EMBEDDED_PG_PORT);
  return { url: pg.url, close: pg.stop };
}
