import type { ChildProcess } from "node:child_process";
import readline from "node:readline";

type Format = (line: string) => string;

/**
 * pino-pretty is a devDependency, for npm start only: without it (a production install) the
 * lines pass through as they are, JSON and all.
 */
async function prettyFormat(): Promise<Format> {
  try {
    const { prettyFactory } = await import("pino-pretty");
    const pretty = prettyFactory({
      messageKey: "event",
      ignore: "pid,hostname",
      translateTime: "SYS:HH:MM:ss.l",
      colorize: process.stdout.isTTY === true,
    });
    // Lines that are not a log's (Next's banner, a crash's trace) come through unchanged.
    return (line) => (line.startsWith("{") ? String(pretty(line)) : `${line}\n`);
  } catch {
    return (line) => `${line}\n`;
  }
}

/**
 * Writes a child's output (started with its stdout and stderr piped) to ours, logs made readable;
 * each line after `prefix` where several processes of one kind share the terminal (web1, web2).
 */
export async function printReadably(child: ChildProcess, prefix = ""): Promise<void> {
  const format = await prettyFormat();
  const pairs = [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const;
  for (const [from, to] of pairs) {
    if (from)
      readline
        .createInterface({ input: from })
        .on("line", (line) => to.write(prefix + format(line)));
  }
}
