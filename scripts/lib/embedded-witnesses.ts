/**
 * `npm start`'s transparency log: its signing key, kept in the data directory with the database
 * it signs for, and two witnesses (scripts/witness.ts), each a process with its own key and
 * storage, as independent witnesses run elsewhere would be.
 */
import fs from "node:fs";
import path from "node:path";
import { type Env, type LogWitness, logOrigin } from "../../lib/config/env";
import { generateSignerKey, parseSignerKey } from "../../lib/tlog/sign";
import { loadOrCreateWitnessKey } from "../../lib/witness/key";
import { startChild, stopChild, tsxArgs } from "./runtime";

export type EmbeddedLog = { origin: string; skey: string; vkey: string };

/**
 * The log's key: LOG_SIGNING_KEY, or made on the first start and kept. A kept key fixes the
 * origin (its name) for the life of the data directory: witnesses keep their state by origin, so
 * a later PORT or APP_URL must not quietly make a new log of the same tree.
 */
export function embeddedLogKey(env: Env, dataDir: string): EmbeddedLog {
  if (env.LOG_SIGNING_KEY) {
    const key = parseSignerKey(env.LOG_SIGNING_KEY);
    return { origin: key.name, skey: env.LOG_SIGNING_KEY, vkey: key.vkey };
  }
  const file = path.join(dataDir, "log", "signing.key");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${generateSignerKey(logOrigin(env), 0x01).skey}\n`, { mode: 0o600 });
  }
  const skey = fs.readFileSync(file, "utf8").trim();
  const key = parseSignerKey(skey);
  if (env.LOG_ORIGIN !== undefined && env.LOG_ORIGIN !== key.name) {
    throw new Error(
      `${file} signs for the log "${key.name}", but LOG_ORIGIN is "${env.LOG_ORIGIN}": a log's origin never changes. Unset LOG_ORIGIN, or use another PRIZELEDGER_DATA_DIR for a new log`,
    );
  }
  if (env.LOG_VERIFIER_KEY !== undefined && env.LOG_VERIFIER_KEY !== key.vkey) {
    throw new Error(`LOG_VERIFIER_KEY is not the verifier key of the log key kept in ${file}`);
  }
  return { origin: key.name, skey, vkey: key.vkey };
}

export type EmbeddedWitness = LogWitness & { name: string };

/** What a witness process needs of our environment to run; its settings come as flags. */
const WITNESS_INHERITS = ["PATH", "HOME", "TMPDIR", "TZ", "NODE_ENV", "LOG_LEVEL"] as const;

/**
 * A witness's environment, built from scratch: it stands for someone independent of the log, so
 * it must not hold the log's signing key, the treasury's or any other secret `npm start` was
 * given (a witness holding the log's key could not vouch for anything the log signed).
 */
export function witnessEnvironment(
  parent: Record<string, string | undefined>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of WITNESS_INHERITS) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Starts the two witnesses on EMBEDDED_WITNESS_PORT and the next, pinned to this log and its
 * contract, checking the chain through `rpcUrl`; pushes their stops onto `cleanups`.
 */
export function startEmbeddedWitnesses(options: {
  env: Env;
  dataDir: string;
  log: EmbeddedLog;
  contract: string;
  chainId: number;
  rpcUrl: string;
  cleanups: Array<() => Promise<unknown>>;
}): EmbeddedWitness[] {
  const { env, dataDir, log, contract, chainId, rpcUrl, cleanups } = options;
  return [1, 2].map((n) => {
    const name = `witness-${n}.prizeledger.localhost`;
    const dir = path.join(dataDir, `witness-${n}`);
    const port = env.EMBEDDED_WITNESS_PORT + n - 1;
    const { vkey } = loadOrCreateWitnessKey(dir, name);
    const witness = startChild(
      `witness-${n}`,
      process.execPath,
      tsxArgs(
        "scripts/witness.ts",
        ...["--origin", log.origin, "--log-key", log.vkey],
        ...["--contract", contract, "--chain-id", String(chainId), "--rpc", rpcUrl],
        ...["--port", String(port), "--data", dir, "--name", name],
      ),
      witnessEnvironment(process.env),
      undefined,
      { inheritEnv: false },
    );
    cleanups.push(() => stopChild(witness.child, witness.exited));
    return { name, key: vkey, url: `http://127.0.0.1:${port}` };
  });
}
