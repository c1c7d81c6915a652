import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type postgres from "postgres";
import {
  createAppDatabase,
  embeddedAdminClient,
  embeddedPostgresFlags,
  grantTraverse,
  loadEmbeddedPostgres,
  removeStalePidFile,
} from "./embedded-postgres";

/**
 * Two embedded PostgreSQL servers, a primary and a synchronous streaming standby, in `dir/a` and
 * `dir/b`. The embedded binaries have no pg_basebackup, so the standby is copied from the running
 * primary with the low-level backup API (pg_backup_start, a file copy, pg_backup_stop) and then
 * streams from a replication slot made before the copy began, so no WAL it needs is recycled.
 *
 * `dir/pair.json` names the primary. It is written before a promotion, and it is the fence: the
 * other server is only ever started as a standby, and one that is no longer one (the old primary
 * after a failover) is rebuilt from the primary, never started as it was.
 */
export type PostgresServer = {
  name: NodeName;
  dir: string;
  port: number;
  /** The server's pid while it runs. */
  readonly pid: number | undefined;
  /** Signals the server's postmaster (e.g. SIGKILL, to fail it). */
  kill(signal: NodeJS.Signals): void;
  /**
   * Signals every process of the server, postmaster and backends (SIGSTOP: a server hung as a
   * whole, a full disk), even backends that outlived their postmaster.
   */
  killAll(signal: NodeJS.Signals): void;
};

export type EmbeddedPostgresPair = {
  /** Both servers, read-write only: the app reaches whichever is the primary. */
  databaseUrl: string;
  readonly primary: PostgresServer;
  /** The synchronous standby, or undefined after a promotion until `rejoin()`. */
  readonly standby: PostgresServer | undefined;
  /**
   * Fences the primary (SIGKILL if still running) and promotes the standby, retrying until it is
   * writable; rejects if it is not after a few attempts.
   */
  promote(): Promise<void>;
  /**
   * Gives the standby up while the primary lives (it died or hangs): it is no standby from now
   * on, so never promoted, its processes are killed, and the primary's commits stop waiting for
   * it. Until `rejoin()` rebuilds it, an acknowledged commit is on the primary alone.
   */
  dropStandby(): Promise<void>;
  /** Rebuilds the old primary as the new primary's synchronous standby. */
  rejoin(): Promise<void>;
  stop(): Promise<void>;
};

type NodeName = "a" | "b";
type Running = { child: ChildProcess; exited: Promise<void> };

/** Attempts at promoting a standby (each waits up to 60 s) before the pair gives up. */
const PROMOTE_ATTEMPTS = 5;

const PAIR_DATABASE_USER = "prizeledger";
const REPLICATION_ROLE = "replicator";
const REPLICATION_PASSWORD = "replicator";
const require = createRequire(import.meta.url);

/** The multi-host URL of a pair's servers: postgres.js tries them in order for a writable one. */
export function pairDatabaseUrl(ports: number[]): string {
  const hosts = ports.map((port) => `127.0.0.1:${port}`).join(",");
  return `postgres://prizeledger:prizeledger@${hosts}/prizeledger?target_session_attrs=read-write`;
}

export async function startEmbeddedPostgresPair(options: {
  dir: string;
  primaryPort: number;
  standbyPort: number;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgresPair> {
  const log = options.log ?? (() => {});
  const dir = path.resolve(options.dir);
  const ports: Record<NodeName, number> = { a: options.primaryPort, b: options.standbyPort };
  const running = new Map<NodeName, Running>();
  let primaryName = readPrimaryName(dir);
  let standbyName: NodeName | undefined = other(primaryName);

  const server = (name: NodeName): PostgresServer => ({
    name,
    dir: path.join(dir, name),
    port: ports[name],
    get pid() {
      const child = running.get(name)?.child;
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    kill: (signal) => {
      running.get(name)?.child.kill(signal);
    },
    killAll: (signal) => {
      // The postmaster first (while it runs: an ended one's pid may be another process's by
      // now), so that it starts no new backend while they are signalled.
      if (server(name).pid) running.get(name)?.child.kill(signal);
      signalServerProcesses(path.join(dir, name), signal);
    },
  });
  const start = async (name: NodeName) => running.set(name, await spawnServer(server(name), log));
  /** SIGKILLs a server's process group (a stopped one too) and forgets it once it has exited. */
  const fence = async (name: NodeName) => {
    server(name).killAll("SIGKILL");
    await running.get(name)?.exited;
    running.delete(name);
  };
  const stopNode = async (name: NodeName) => {
    const node = running.get(name);
    running.delete(name);
    if (!node) return;
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill("SIGINT");
    await node.exited;
  };

  const primaryDir = path.join(dir, primaryName);
  if (!fs.existsSync(path.join(primaryDir, "PG_VERSION"))) await initialiseServer(primaryDir, log);
  // A standby named primary in pair.json was being promoted when everything stopped: without
  // standby.signal it ends its recovery and comes up as the primary.
  fs.rmSync(path.join(primaryDir, "standby.signal"), { force: true });
  removeStalePidFile(primaryDir);
  await start(primaryName);
  try {
    await createAppDatabase(ports[primaryName]);
    await ensureReplicationRole(ports[primaryName]);
    await attachStandby(standbyName);
  } catch (error) {
    await Promise.all([...running.keys()].map(stopNode));
    throw error;
  }

  /** Starts `name` as the primary's standby (rebuilt unless it already is one) and waits for sync. */
  async function attachStandby(name: NodeName): Promise<void> {
    const standbyDir = path.join(dir, name);
    const admin = embeddedAdminClient(ports[primaryName]);
    try {
      if (!fs.existsSync(path.join(standbyDir, "standby.signal"))) {
        // Commits would wait for a standby that is not there yet.
        await setSynchronousStandby(admin, "");
        fs.rmSync(standbyDir, { recursive: true, force: true });
        await copyStandby(admin, { ...server(name), primaryPort: ports[primaryName] }, log);
      }
      removeStalePidFile(standbyDir);
      await start(name);
      await setSynchronousStandby(admin, name);
      await waitForSync(admin, name);
    } finally {
      await admin.end();
    }
  }

  return {
    databaseUrl: pairDatabaseUrl([ports.a, ports.b]),
    get primary() {
      return server(primaryName);
    },
    get standby() {
      return standbyName ? server(standbyName) : undefined;
    },
    async promote() {
      if (!standbyName) throw new Error("there is no standby to promote");
      const promoted = standbyName;
      const fenced = primaryName;
      writePrimaryName(dir, promoted);
      await fence(fenced);
      primaryName = promoted;
      standbyName = undefined;
      await promoteUntilWritable(server(promoted), log);
      log(`PostgreSQL ${promoted} (port ${ports[promoted]}) promoted; ${fenced} is fenced`);
    },
    async dropStandby() {
      if (!standbyName) return;
      const dropped = standbyName;
      // First: from here on nothing promotes it, as it will miss the commits made without it.
      standbyName = undefined;
      await fence(dropped);
      // Bounded: the watchdog waits on this, and the rebuild after it tries again.
      const admin = embeddedAdminClient(ports[primaryName], { connect_timeout: 10 });
      try {
        await setSynchronousStandby(admin, "");
      } finally {
        await admin.end();
      }
      log(
        `PostgreSQL ${dropped} (port ${ports[dropped]}) dropped as the standby: commits on ${primaryName} no longer wait for it and are on one server only until it is rebuilt`,
      );
    },
    async rejoin() {
      if (standbyName) throw new Error("the pair already has its standby");
      const name = other(primaryName);
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      await attachStandby(name);
      standbyName = name;
    },
    async stop() {
      // No standby from here on: a watchdog still running finds none to promote, instead of
      // "promoting" a standby that is stopping.
      const standby = standbyName;
      standbyName = undefined;
      if (standby) await stopNode(standby);
      await Promise.all([...running.keys()].map(stopNode));
    },
  };
}

/**
 * Signals every PostgreSQL process working in `dataDir` (each runs in its data directory):
 * backends, WAL sender, checkpointer… Killed alone, a postmaster's children end when they notice,
 * but stopped ones (a hung server) never do, and hold the app's connections open without an
 * answer, also once their postmaster has gone. Each calls setsid(), so no process group holds
 * them all, and once orphaned they are no postmaster's children any more: /proc finds them.
 */
function signalServerProcesses(dataDir: string, signal: NodeJS.Signals): void {
  let pids: string[];
  let directory: string;
  let binary: string;
  try {
    pids = fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
    directory = fs.realpathSync(dataDir);
    binary = fs.realpathSync(postgresBinary());
  } catch {
    return; // No /proc (not Linux) or no data directory: the postmaster alone, as before.
  }
  for (const pid of pids) {
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === directory && fs.readlinkSync(`/proc/${pid}/exe`) === binary) {
        process.kill(Number(pid), signal);
      }
    } catch {
      // Ended meanwhile, or not ours to read.
    }
  }
}

/**
 * Promotes a standby until it is writable. `pg_promote` may fail (a lost connection) or return
 * false (not done within its 60 s on a busy machine) while the promotion still goes on, so each
 * attempt first asks whether the server is still in recovery.
 */
export async function promoteUntilWritable(
  node: PostgresServer,
  log: (line: string) => void,
): Promise<void> {
  let failure = "";
  for (let attempt = 1; attempt <= PROMOTE_ATTEMPTS; attempt++) {
    const admin = embeddedAdminClient(node.port);
    try {
      const [state] = await admin<{ recovering: boolean }[]>`
        select pg_is_in_recovery() as recovering`;
      if (state?.recovering === false) return;
      const [row] = await admin<{ promoted: boolean }[]>`select pg_promote(true, 60) as promoted`;
      if (row?.promoted) return;
      failure = "still in recovery after 60 s";
    } catch (error) {
      failure = String(error);
    } finally {
      await admin.end({ timeout: 5 });
    }
    log(`PostgreSQL ${node.name}: promotion attempt ${attempt} failed (${failure})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(
    `PostgreSQL ${node.name} (port ${node.port}) is not writable after ${PROMOTE_ATTEMPTS} promotion attempts: ${failure}`,
  );
}

function other(name: NodeName): NodeName {
  return name === "a" ? "b" : "a";
}

/**
 * The primary, as pair.json names it: the only fence between the two data directories. Without
 * it the pair is new (written now, naming a), or from before pair.json was written at set-up:
 * then a is the primary only while b is still a standby (b/standby.signal, never promoted).
 * Otherwise b may have been promoted and a started as primary would take claims b never saw,
 * and b would be wiped to follow it: the pair refuses to start.
 */
function readPrimaryName(dir: string): NodeName {
  const file = path.join(dir, "pair.json");
  if (!fs.existsSync(file)) {
    const exists = (name: string) => fs.existsSync(path.join(dir, name));
    if (exists("a/PG_VERSION") && exists("b/PG_VERSION") && !exists("b/standby.signal")) {
      throw new Error(
        `${file} is missing and ${path.join(dir, "b")} is no standby: it may have been promoted. Write {"primary": "a"} or {"primary": "b"} there, naming the server that was primary last`,
      );
    }
    fs.mkdirSync(dir, { recursive: true });
    writePrimaryName(dir, "a");
    return "a";
  }
  const { primary } = JSON.parse(fs.readFileSync(file, "utf8")) as { primary?: unknown };
  if (primary !== "a" && primary !== "b") throw new Error(`${file} names no primary`);
  return primary;
}

/** Writes pair.json to disk for good (file and directory synced) before anything relies on it. */
function writePrimaryName(dir: string, primary: NodeName): void {
  const file = path.join(dir, "pair.json");
  const handle = fs.openSync(`${file}.tmp`, "w");
  try {
    fs.writeSync(handle, JSON.stringify({ primary }));
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
  fs.renameSync(`${file}.tmp`, file);
  const directory = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(directory);
  } finally {
    fs.closeSync(directory);
  }
}

async function initialiseServer(databaseDir: string, log: (line: string) => void): Promise<void> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  fs.mkdirSync(databaseDir, { recursive: true });
  if (process.getuid?.() === 0) grantTraverse([postgresBinary(), databaseDir]);
  await new EmbeddedPostgres({
    databaseDir,
    user: PAIR_DATABASE_USER,
    password: "prizeledger",
    createPostgresUser: true,
    onLog: log,
    onError: (e) => log(String(e)),
  }).initialise();
}

function postgresBinary(): string {
  const packageDir = path.dirname(
    require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`),
  );
  return path.resolve(packageDir, "..", "native", "bin", "postgres");
}

/** As root, PostgreSQL runs as the `postgres` user embedded-postgres created at initdb. */
function serverOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }));
  return { uid: id("-u"), gid: id("-g") };
}

/**
 * Runs the server in the foreground of a child process, as embedded-postgres does, but resolves
 * on a standby's "ready to accept read-only connections" too.
 */
function spawnServer(node: PostgresServer, log: (line: string) => void): Promise<Running> {
  const owner = serverOwner();
  const child = spawn(
    postgresBinary(),
    ["-D", node.dir, "-p", String(node.port), ...embeddedPostgresFlags],
    { ...owner, env: { ...process.env, LC_MESSAGES: "C" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      log(text.trimEnd());
      if (/ready to accept (read-only )?connections/.test(text)) resolve({ child, exited });
    });
    void exited.then(() =>
      reject(new Error(`PostgreSQL ${node.name} on port ${node.port} exited while starting`)),
    );
  });
}

async function ensureReplicationRole(port: number): Promise<void> {
  const admin = embeddedAdminClient(port);
  try {
    const rows = await admin`select 1 from pg_roles where rolname = ${REPLICATION_ROLE}`;
    if (rows.length === 0) {
      await admin.unsafe(
        `create role ${REPLICATION_ROLE} with replication login password '${REPLICATION_PASSWORD}'`,
      );
    }
  } finally {
    await admin.end();
  }
}

/**
 * A node's name: that standby (its application_name) must confirm each commit
 * (`synchronous_commit` stays `on`: flushed to the standby's disk before the commit returns),
 * and no other replication client can (`*` would let a pg_receivewal or a change-data reader
 * confirm commits the standby never got). Empty: commits wait for no standby.
 */
async function setSynchronousStandby(admin: postgres.Sql, name: NodeName | ""): Promise<void> {
  await admin.unsafe(`alter system set synchronous_standby_names = '${name && `"${name}"`}'`);
  await admin`select pg_reload_conf()`;
}

async function waitForSync(admin: postgres.Sql, name: NodeName): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    const rows = await admin`
      select sync_state from pg_stat_replication where application_name = ${name}`;
    if (rows[0]?.sync_state === "sync") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the standby ${name} did not become synchronous within 60 s`);
}

/**
 * A base backup of the primary into `standby.dir`, made with the low-level API on one session
 * (pg_backup_stop must run where pg_backup_start did), then set up to stream from its slot.
 */
async function copyStandby(
  admin: postgres.Sql,
  standby: PostgresServer & { primaryPort: number },
  log: (line: string) => void,
): Promise<void> {
  const slot = `standby_${standby.name}`;
  const [setting] = await admin<{ dataDir: string }[]>`
    select current_setting('data_directory') as "dataDir"`;
  const dataDir = setting?.dataDir ?? "";
  const existing = await admin`select 1 from pg_replication_slots where slot_name = ${slot}`;
  if (existing.length === 0) await admin`select pg_create_physical_replication_slot(${slot}, true)`;
  log(`copying PostgreSQL ${dataDir} to ${standby.dir} for a standby`);
  await admin`select pg_backup_start(${`standby ${standby.name}`}, true)`;
  let stopped: { labelfile: string; spcmapfile: string | null }[] = [];
  try {
    copyDataDir(dataDir, standby.dir, serverOwner());
  } finally {
    stopped = await admin<{ labelfile: string; spcmapfile: string | null }[]>`
      select labelfile, spcmapfile from pg_backup_stop(false)`;
  }
  const backup = stopped[0];
  if (!backup) throw new Error("pg_backup_stop returned no backup label");
  const owner = serverOwner();
  const write = (name: string, text: string) => {
    const file = path.join(standby.dir, name);
    fs.writeFileSync(file, text, { mode: 0o600 });
    if (owner) fs.chownSync(file, owner.uid, owner.gid);
  };
  write("backup_label", backup.labelfile);
  if (backup.spcmapfile) write("tablespace_map", backup.spcmapfile);
  const conninfo = [
    "host=127.0.0.1",
    `port=${standby.primaryPort}`,
    `user=${REPLICATION_ROLE}`,
    `password=${REPLICATION_PASSWORD}`,
    `application_name=${standby.name}`,
  ].join(" ");
  const autoConf = fs
    .readFileSync(path.join(standby.dir, "postgresql.auto.conf"), "utf8")
    .split("\n")
    .filter(
      (line) => !/^\s*(synchronous_standby_names|primary_conninfo|primary_slot_name)\b/.test(line),
    )
    .join("\n");
  write(
    "postgresql.auto.conf",
    `${autoConf.trimEnd()}\nprimary_conninfo = '${conninfo}'\nprimary_slot_name = '${slot}'\n`,
  );
  // Last: a copy cut off before its primary_conninfo must not pass for a standby, which the next
  // start would keep as it is instead of copying again.
  write("standby.signal", "");
}

/**
 * What a base backup leaves out (as pg_basebackup does): files of the running server, WAL (the
 * standby streams it), replication slots, and directories emptied at every start.
 */
const skippedContents = new Set([
  "pg_wal",
  "pg_replslot",
  "pg_dynshmem",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_stat_tmp",
  "pg_subtrans",
]);
const skippedFiles = new Set([
  "postmaster.pid",
  "postmaster.opts",
  "standby.signal",
  "recovery.signal",
  "backup_label.old",
  "pg_internal.init",
]);

/** Copies a running server's files; one that vanishes meanwhile (a dropped table) is WAL's job. */
function copyDataDir(
  from: string,
  to: string,
  owner: { uid: number; gid: number } | undefined,
  top = true,
): void {
  fs.mkdirSync(to, { mode: 0o700 });
  if (owner) fs.chownSync(to, owner.uid, owner.gid);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(from, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  for (const entry of entries) {
    if (skippedFiles.has(entry.name) || entry.name.startsWith("pgsql_tmp")) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      if (top && skippedContents.has(entry.name)) {
        fs.mkdirSync(target, { mode: 0o700 });
        if (owner) fs.chownSync(target, owner.uid, owner.gid);
      } else {
        copyDataDir(source, target, owner, false);
      }
      continue;
    }
    try {
      fs.copyFileSync(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    if (owner) fs.chownSync(target, owner.uid, owner.gid);
  }
  if (top) {
    const archiveStatus = path.join(to, "pg_wal", "archive_status");
    fs.mkdirSync(archiveStatus, { mode: 0o700 });
    if (owner) fs.chownSync(archiveStatus, owner.uid, owner.gid);
  }
}
