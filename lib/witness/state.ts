import "server-only";
import {
  appendFileSync,
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { z } from "zod";

/** The log a witness watches, as pinned on its first start (or by `--repin`). */
export const pinSchema = z.object({
  origin: z.string().min(1),
  logKey: z.string().min(1),
  chainId: z.number().int().positive(),
  contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
});
export type Pin = z.infer<typeof pinSchema>;

/** The latest checkpoint cosigned for an origin: the size the next request's `old` must name. */
const latestSchema = z.object({
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  root: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "a base64 SHA-256 hash"),
  note: z.string(),
  cosignedAt: z.number().int().nonnegative(),
});
export type Latest = z.infer<typeof latestSchema>;

const stateSchema = z.object({
  version: z.literal(1),
  pin: pinSchema,
  logs: z.record(z.string(), latestSchema),
});
export type WitnessState = z.infer<typeof stateSchema>;

export const STATE_FILE = "state.json";
/** One JSON line per cosigned checkpoint, appended before the answer leaves: the evidence. */
export const EVIDENCE_FILE = "cosigned.jsonl";

/** Reads the state; undefined on a first start. A file that is not the state is an error in words. */
export function readState(dataDir: string): WitnessState | undefined {
  const file = path.join(dataDir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON: the witness's state is damaged; refusing to start`);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${file} is not a witness state (${issue?.path.join(".") || "top"}: ${issue?.message}); refusing to start`,
    );
  }
  return parsed.data;
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces the state file: written beside it, flushed, then renamed over it and the directory
 * flushed, so a crash leaves the old state or the new one, never a mix.
 */
export function writeState(dataDir: string, state: WitnessState): void {
  const file = path.join(dataDir, STATE_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  fsyncDirectory(dataDir);
}

/** Appends one cosigned checkpoint to the evidence file and flushes it. */
export function appendEvidence(dataDir: string, entry: { origin: string } & Latest): void {
  const file = path.join(dataDir, EVIDENCE_FILE);
  appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600, flush: true });
}

export const LOCK_FILE = "witness.pid";

/** A process as the lock names it: its pid and, on Linux, its start time (pids are reused). */
type Holder = { pid: number; started: string };

/**
 * When the process started, in clock ticks since boot (/proc/<pid>/stat field 22); "" where
 * there is no /proc or no such process. The name in field 2 may hold spaces and parentheses,
 * so the fields are counted from its closing parenthesis.
 */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const [pid, started = ""] = readFileSync(file, "utf8").trim().split(" ");
    return { pid: Number(pid), started };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Whether the holder still runs: our own pid is never a holder (this process claims a directory
 * once, see `held`), so a lock with it was left by an earlier process that had the same pid, as
 * pids repeat across container restarts; a live pid that started at another time is another
 * process too.
 */
function holderRuns(holder: Holder): boolean {
  if (!Number.isSafeInteger(holder.pid) || holder.pid <= 0 || holder.pid === process.pid) {
    return false;
  }
  if (!isRunning(holder.pid)) return false;
  return holder.started === "" || holder.started === processStartTime(holder.pid);
}

/** The directories this process holds, so a second claim in it is refused without the file. */
const held = new Set<string>();

/**
 * Claims the data directory for this process: two witnesses on one state would each check the
 * old size against their own copy and could both cosign from it. A stale lock (its process is
 * gone) is moved aside by rename, which only one of two starters can do; the one that moved
 * anything but the stale lock it judged puts it back and gives up. Returns the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  if (held.has(file)) {
    throw new Error(
      `another witness (pid ${process.pid}) runs on ${dataDir}: one process per data directory`,
    );
  }
  const me = `${process.pid} ${processStartTime(process.pid)}`.trim();
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, `${me}\n`);
      closeSync(fd);
      held.add(file);
      return () => {
        held.delete(file);
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(file);
    if (holder && holderRuns(holder)) {
      throw new Error(
        `another witness (pid ${holder.pid}) runs on ${dataDir}: one process per data directory`,
      );
    }
    if (holder) moveStaleLock(file, holder, dataDir);
  }
  throw new Error(`${file} could not be claimed: another witness is starting on ${dataDir}`);
}

/** Moves the stale lock aside; a lock that changed in between (a new holder) is put back. */
function moveStaleLock(file: string, stale: Holder, dataDir: string): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    // Another starter moved it first: try to claim again.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = readHolder(aside);
  if (moved && (moved.pid !== stale.pid || moved.started !== stale.started)) {
    try {
      linkSync(aside, file);
    } catch {
      // A third starter took the path meanwhile: the words below still hold.
    }
    rmSync(aside, { force: true });
    throw new Error(`${file} was claimed meanwhile: another witness is starting on ${dataDir}`);
  }
  rmSync(aside, { force: true });
}
