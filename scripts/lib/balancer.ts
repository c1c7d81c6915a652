/**
 * The load balancer of `npm run start:cluster`: HAProxy from the OS packages, configured from
 * deploy/haproxy.cfg (the README's production example) with this machine's instances filled in,
 * running as a child process with its pid file and admin socket in the data directory.
 */
import { type ExecFileSyncOptions, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Log } from "./stack";

export const HAPROXY_TEMPLATE = path.resolve("deploy", "haproxy.cfg");

export type Backend = { name: string; host: string; port: number };

const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const SERVER_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The template with its placeholders filled in: `bind` (address and port, e.g. `127.0.0.1:3000`),
 * `stateDir`, and one `server` line per backend. An unknown placeholder, or a value that would
 * break a line of the file apart, is an error rather than a balancer silently configured wrong.
 */
export function renderHaproxyConfig(
  template: string,
  values: { bind: string; stateDir: string; backends: Backend[] },
): string {
  if (values.backends.length === 0) throw new Error("the balancer needs at least one instance");
  for (const b of values.backends) {
    if (!SERVER_NAME.test(b.name) || !SERVER_NAME.test(b.host) || !Number.isInteger(b.port)) {
      throw new Error(`not a usable instance: ${JSON.stringify(b)}`);
    }
  }
  const filled: Record<string, string> = {
    bind: values.bind,
    state_dir: values.stateDir,
    servers: values.backends.map((b) => `server ${b.name} ${b.host}:${b.port}`).join("\n    "),
  };
  for (const [name, value] of Object.entries(filled)) {
    if (/[\s"#]/.test(value) && name !== "servers") {
      throw new Error(`${name} must not contain spaces, quotes or #: ${value}`);
    }
  }
  // Comments keep their placeholders: they tell the reader of the file what was filled in.
  return template
    .split("\n")
    .map((line) =>
      line.trimStart().startsWith("#")
        ? line
        : line.replace(PLACEHOLDER, (_, name: string) => {
            const value = filled[name];
            if (value === undefined) throw new Error(`unknown placeholder {{${name}}}`);
            return value;
          }),
    )
    .join("\n");
}

/** HAProxy's executable: on PATH or in /usr/sbin (Debian does not put sbin on a user's PATH). */
function findHaproxy(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin"];
  return dirs.map((dir) => path.join(dir, "haproxy")).find((file) => fs.existsSync(file));
}

/**
 * HAProxy, installed from the OS packages when missing and this process may (root, apt-get),
 * as CI installs Chromium; otherwise an error saying what to run.
 */
export function ensureHaproxy(log: Log): string {
  const found = findHaproxy();
  if (found) return found;
  const hint = "install it with `sudo apt-get install -y haproxy` (Debian, Ubuntu)";
  if (process.getuid?.() !== 0 || !fs.existsSync("/usr/bin/apt-get")) {
    throw new Error(`the load balancer HAProxy is not installed: ${hint}`);
  }
  log("installing HAProxy from the OS packages (apt-get update, apt-get install -y haproxy)…");
  // As .ci/run installs Chromium: a fresh machine's package lists may be empty.
  const apt: ExecFileSyncOptions = {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  };
  execFileSync("apt-get", ["update", "-qq"], apt);
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "haproxy"], apt);
  const installed = findHaproxy();
  if (!installed) throw new Error(`apt-get did not install HAProxy: ${hint}`);
  return installed;
}

/**
 * Writes the configuration into `stateDir` and checks it with `haproxy -c`, so a mistake stops
 * the start with HAProxy's own words. Returns the file's path.
 */
export function writeHaproxyConfig(
  haproxy: string,
  stateDir: string,
  bind: string,
  backends: Backend[],
): string {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, "haproxy.cfg");
  const template = fs.readFileSync(HAPROXY_TEMPLATE, "utf8");
  fs.writeFileSync(file, renderHaproxyConfig(template, { bind, stateDir, backends }));
  try {
    execFileSync(haproxy, ["-c", "-q", "-f", file], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const output = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`HAProxy refused ${file}: ${output || (error as Error).message}`);
  }
  return file;
}
