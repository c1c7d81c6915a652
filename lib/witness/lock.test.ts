import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "@/test/witness-fixture";
import { LOCK_FILE, lockDataDir, processStartTime } from "./state";

/** A data directory whose lock file already says `content`. */
function lockedBy(content: string) {
  const dataDir = tempDir("witness-lock");
  const file = path.join(dataDir, LOCK_FILE);
  writeFileSync(file, content);
  return { dataDir, file };
}

const me = `${process.pid} ${processStartTime(process.pid)}\n`;
/** Beyond Linux's largest pid_max: no process has it. */
const GONE = 2 ** 22 + 1;

describe("the witness's lock on its data directory", () => {
  it("names this process by pid and start time, and refuses a second claim in it", () => {
    const dataDir = tempDir("witness-lock");
    const release = lockDataDir(dataDir);
    expect(processStartTime(process.pid)).toMatch(/^\d+$/);
    expect(readFileSync(path.join(dataDir, LOCK_FILE), "utf8")).toBe(me);
    expect(() => lockDataDir(dataDir)).toThrow(
      `another witness (pid ${process.pid}) runs on ${dataDir}: one process per data directory`,
    );
    release();
    lockDataDir(dataDir)();
  });

  it("takes over a lock left with its own pid (pids repeat across container restarts)", () => {
    const { dataDir, file } = lockedBy(`${process.pid} 1\n`);
    const release = lockDataDir(dataDir);
    expect(readFileSync(file, "utf8")).toBe(me);
    release();
  });

  it("takes over a lock whose pid now belongs to a process started at another time", () => {
    const { dataDir, file } = lockedBy(`${process.ppid} 1\n`);
    lockDataDir(dataDir)();
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    const gone = lockedBy(`${GONE} 5\n`);
    const release = lockDataDir(gone.dataDir);
    expect(readFileSync(gone.file, "utf8")).toBe(me);
    release();
  });

  it("refuses while the process that wrote the lock runs, named by pid and start time", () => {
    const live = `${process.ppid} ${processStartTime(process.ppid)}\n`;
    for (const content of [live, `${process.ppid}\n`]) {
      const { dataDir, file } = lockedBy(content);
      expect(() => lockDataDir(dataDir)).toThrow(
        `another witness (pid ${process.ppid}) runs on ${dataDir}: one process per data directory`,
      );
      expect(readFileSync(file, "utf8")).toBe(content);
    }
  });
});
