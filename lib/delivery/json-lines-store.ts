import "server-only";
import fs from "node:fs";
import path from "node:path";

/**
 * An append-only file of JSON lines, fsync'd before an append resolves: what a crash cannot take
 * back once it is acknowledged. Appends made while a write is on its way share the next write
 * and fsync (group commit), so a burst costs one fsync, not one each.
 */
export type JsonLinesStore = {
  /** Every record in the file when it was opened, in order. */
  records: unknown[];
  append(record: unknown): Promise<void>;
  close(): Promise<void>;
};

/**
 * Opens (or creates) the file. A last line cut short by a crash mid-write was never
 * acknowledged: it is dropped. A bad line before the last is damage this store cannot explain,
 * and opening refuses.
 */
export async function openJsonLinesStore(file: string): Promise<JsonLinesStore> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const existed = fs.existsSync(file);
  const text = existed ? fs.readFileSync(file, "utf8") : "";
  const lines = text.split("\n");
  const records: unknown[] = [];
  let goodLength = 0;
  for (const [index, line] of lines.entries()) {
    if (line === "") continue;
    try {
      records.push(JSON.parse(line));
      goodLength += Buffer.byteLength(line) + 1;
    } catch {
      if (index < lines.length - 1) {
        throw new Error(`${file}: line ${index + 1} is not JSON; the store is damaged`);
      }
    }
  }
  if (existed && goodLength !== Buffer.byteLength(text)) fs.truncateSync(file, goodLength);
  const handle = await fs.promises.open(file, "a");
  if (!existed) {
    // The new file's name must survive a crash too: fsync the folder that holds it.
    const dir = await fs.promises.open(path.dirname(file), "r");
    await dir.sync().finally(() => dir.close());
  }

  let queued: { line: string; done: () => void; failed: (error: Error) => void }[] = [];
  let writing: Promise<void> | undefined;
  // After a failed write the file may end in part of a line: nothing more is appended behind it
  // (a restart drops that part).
  let broken: Error | undefined;
  const flush = async (): Promise<void> => {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        await handle.write(batch.map((entry) => entry.line).join(""));
        await handle.datasync();
        for (const entry of batch) entry.done();
      } catch (error) {
        broken = error as Error;
        for (const entry of [...batch, ...queued]) entry.failed(broken);
        queued = [];
      }
    }
    writing = undefined;
  };

  return {
    records,
    append(record) {
      if (broken) return Promise.reject(broken);
      return new Promise<void>((done, failed) => {
        queued.push({ line: `${JSON.stringify(record)}\n`, done, failed });
        writing ??= flush();
      });
    },
    async close() {
      await writing;
      await handle.close();
    },
  };
}
