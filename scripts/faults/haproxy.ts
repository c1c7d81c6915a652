/**
 * HAProxy (from the OS packages) in front of the web instances: round robin, a health check on
 * /api/health, and a request whose connection to one instance failed before it was sent is sent
 * to another (`retry-on conn-failure` with `option redispatch`). A request already sent is never
 * sent again by the balancer: a claim may have committed, and only its client, with its
 * Idempotency-Key, may safely ask again.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export function haproxyConfig(port: number, servers: number[]): string {
  return `global
  maxconn 4096

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 3
  option redispatch
  retry-on conn-failure
  option forwardfor

frontend web
  bind 127.0.0.1:${port}
  default_backend instances

backend instances
  balance roundrobin
  option httpchk GET /api/health
  default-server check inter 1s fall 2 rise 2
${servers.map((p, k) => `  server web${k} 127.0.0.1:${p}`).join("\n")}
`;
}

function haproxyBinary(): string {
  for (const candidate of ["/usr/sbin/haproxy", "/usr/bin/haproxy"]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error("HAProxy is not installed: apt-get install haproxy");
}

export async function startHaproxy(options: {
  dir: string;
  port: number;
  servers: number[];
}): Promise<{ stop: () => Promise<void> }> {
  fs.mkdirSync(options.dir, { recursive: true });
  const file = path.join(options.dir, "haproxy.cfg");
  fs.writeFileSync(file, haproxyConfig(options.port, options.servers));
  const binary = haproxyBinary();
  const check = spawnSync(binary, ["-c", "-q", "-f", file], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`haproxy refused ${file}: ${check.stderr}`);
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
