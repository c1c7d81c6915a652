import { execFileSync } from "node:child_process";
import os from "node:os";

/** One line saying what the figures were measured on: cores, CPU, memory, kernel, node. */
export function machineInfo(): string {
  const memGiB = (os.totalmem() / 2 ** 30).toFixed(1);
  const cpu = os.cpus()[0]?.model ?? "?";
  let kernel = os.release();
  try {
    kernel = execFileSync("uname", ["-sr"]).toString().trim();
  } catch {}
  return `${os.availableParallelism()} cores (${cpu}), ${memGiB} GiB, ${kernel}, node ${process.version}`;
}
