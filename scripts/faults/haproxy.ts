/**
 * HAProxy (from the OS packages, installed when missing) in front of the web instances, with the
 * production example's configuration (deploy/haproxy.cfg) filled in as start:cluster fills it:
 * what the fault runs exercise is what an operator deploys.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureHaproxy, writeHaproxyConfig } from "../lib/balancer";

export async function startHaproxy(options: {
  dir: string;
  port: number;
  servers: number[];
}): Promise<{ stop: () => Promise<void> }> {
  fs.mkdirSync(options.dir, { recursive: true });
  const binary = ensureHaproxy(() => {});
  const file = writeHaproxyConfig(
    binary,
    options.dir,
    `127.0.0.1:${options.port}`,
    options.servers.map((port, k) => ({ name: `web${k}`, host: "127.0.0.1", port })),
  );
  // -db: stay in the foreground, so that the process we hold is the balancer itself.
  const out = fs.openSync(path.join(options.dir, "haproxy.log"), "a");
  const child: ChildProcess = spawn(binary, ["-db", "-f", file], {
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.once("exit", () => child.kill("SIGKILL"));
  return {
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
