import { Writable } from "node:stream";
import { createLogger, type Log, logTo } from "@/lib/log";

export type LogLine = Record<string, unknown> & { level: string; event: string };

/** A Log whose JSON lines are kept, parsed, in `lines`: what an operator would read. */
export function memoryLog(): { log: Log; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: logTo(createLogger(destination, "trace")), lines };
}
