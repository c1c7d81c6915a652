import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import webPush from "web-push";
import { codeKeys } from "../../lib/codes/code-crypto";
import { ConfigError, type Env, parseEnv } from "../../lib/config/env";

/**
 * Parses the environment or exits naming every bad or missing variable. `required` names the
 * variables this entry point cannot do without.
 */
export function loadEnvOrExit(name: string, required: string[] = []): Env {
  try {
    const env = parseEnv();
    const missing = required.filter((variable) => !process.env[variable]?.trim());
    if (missing.length > 0) {
      console.error(`${name}: ${missing.join(", ")} must be set (npm start sets them for you)`);
      process.exit(1);
    }
    // The code keys too: a bad CODE_ENCRYPTION_KEYS must stop start-up, not the first claim.
    codeKeys();
    return env;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** A secret generated once and kept in the data directory, for when none is configured. */
function keptSecret(env: Env, name: string): string {
  const file = path.resolve(env.PRIZELEDGER_DATA_DIR, name);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  return fs.readFileSync(file, "utf8").trim();
}

/** The Auth.js secret: from AUTH_SECRET, or generated once and kept in the data directory. */
export function authSecret(env: Env): string {
  return env.AUTH_SECRET ?? keptSecret(env, "auth-secret");
}

/** The payment webhook secret: from PAYMENT_WEBHOOK_SECRET, or generated once into the data dir. */
export function paymentWebhookSecret(env: Env): string {
  return env.PAYMENT_WEBHOOK_SECRET ?? keptSecret(env, "payment-webhook-secret");
}

/** The embedded gift-card provider's API key and webhook secret, kept like the others. */
export function giftCardSecrets(env: Env): { apiKey: string; webhookSecret: string } {
  return {
    apiKey: env.GIFTCARD_PROVIDER_API_KEY ?? keptSecret(env, "giftcard-api-key"),
    webhookSecret:
      env.GIFTCARD_PROVIDER_WEBHOOK_SECRET ?? keptSecret(env, "giftcard-webhook-secret"),
  };
}

/**
 * The VAPID key pair of Web Push: from VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or generated once
 * and kept in the data directory (a new pair would orphan every browser's subscription).
 */
export function vapidKeyPair(env: Env): { publicKey: string; privateKey: string } {
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY) {
    return { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY };
  }
  const file = path.resolve(env.PRIZELEDGER_DATA_DIR, "vapid-keys.json");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(webPush.generateVAPIDKeys()), { mode: 0o600 });
  }
  const kept = JSON.parse(fs.readFileSync(file, "utf8")) as {
    publicKey: string;
    privateKey: string;
  };
  return { publicKey: kept.publicKey, privateKey: kept.privateKey };
}

export const NEXT_BIN = path.join("node_modules", "next", "dist", "bin", "next");
const TSX_BIN = path.join("node_modules", "tsx", "dist", "cli.mjs");

/**
 * Node's arguments to run a TypeScript entry point from source: tsx, with `server-only` the no-op
 * it is outside a React Server Components bundle (see server-only-noop.mjs).
 */
export function tsxArgs(script: string, ...args: string[]): string[] {
  return [TSX_BIN, "--import", "./scripts/lib/server-only-noop.mjs", script, ...args];
}

export function run(cmd: string, args: string[], extraEnv: Record<string, string> = {}) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...extraEnv } });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`)),
    );
  });
}

/**
 * Starts a long-running child that shares our terminal; resolves the returned promise on exit.
 * `show`: writes the child's piped output (npm start pretty-prints its JSON log lines); without
 * it the child writes straight to our stdout and stderr. Passed in rather than imported, so the
 * production entry points do not carry the development-only pretty-printer.
 */
export function startChild(
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string>,
  show?: (child: ChildProcess) => Promise<void>,
  { inheritEnv = true }: { inheritEnv?: boolean } = {},
): { child: ChildProcess; exited: Promise<number | null> } {
  const output = show ? "pipe" : "inherit";
  // Without inheritEnv, `env` is all the child gets: none of the secrets we were started with.
  const childEnv = (inheritEnv ? { ...process.env, ...env } : env) as NodeJS.ProcessEnv;
  const child = spawn(cmd, args, { stdio: ["ignore", output, output], env: childEnv });
  if (show) void show(child);
  // If this process dies without stopping its children (a signal to it alone, an uncaught error),
  // the children must not outlive it.
  const killChild = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  process.once("exit", killChild);
  const exited = new Promise<number | null>((resolve) => {
    // A child that is started again and again (start:cluster) must not pile up listeners.
    child.on("exit", (code) => {
      process.off("exit", killChild);
      resolve(code);
    });
    child.on("error", (error) => {
      console.error(`${name}: ${error.message}`);
      resolve(1);
    });
  });
  return { child, exited };
}

export function stopChild(child: ChildProcess, exited: Promise<unknown>, ms = 10_000) {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  return exited.finally(() => clearTimeout(timer));
}

/** The compiled contracts `npm start`, the worker and the tests deploy. */
const CONTRACTS = ["RedemptionLedger", "PrizeToken"];

/** Compiles the contracts when an artifact is missing or older than its source. */
export async function ensureContractsCompiled(log: (line: string) => void): Promise<void> {
  const fresh = CONTRACTS.every((name) => {
    const artifact = path.join("artifacts", "contracts", `${name}.sol`, `${name}.json`);
    const source = path.join("contracts", `${name}.sol`);
    return fs.existsSync(artifact) && fs.statSync(artifact).mtimeMs >= fs.statSync(source).mtimeMs;
  });
  if (fresh) return;
  log("compiling the contracts…");
  await run(path.join("node_modules", ".bin", "hardhat"), ["build", "--quiet"], {
    HARDHAT_DISABLE_TELEMETRY: "true",
  });
}
