/**
 * A witness for a Prizeledger log (c2sp.org/tlog-witness plus the ledger-contract check).
 * `npm run witness -- --log <url> --rpc <node>`; README "Run a witness" has every flag, its
 * WITNESS_* environment variable (flags win) and the status codes.
 */
import { hostname } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { log } from "../lib/log";
import { isValidKeyName } from "../lib/tlog/note";
import { DEFAULT_CONFIRMATIONS } from "../lib/witness/chain";
import { explicitPin, logDocumentUrl, type PinSource, startWitness } from "../lib/witness/start";

const fail = (message: string): never => {
  console.error(`witness: ${message}`);
  process.exit(2);
};

const USAGE = `usage: npm run witness -- (--log <url> | --origin <origin> --log-key <vkey> --contract <address> --chain-id <n>)
       --rpc <url> [--confirmations 1] [--port 3100] [--host 127.0.0.1] [--data .data/witness]
       [--name witness.<hostname>] [--repin]`;

function parse() {
  return parseArgs({
    options: {
      log: { type: "string" },
      origin: { type: "string" },
      "log-key": { type: "string" },
      contract: { type: "string" },
      "chain-id": { type: "string" },
      rpc: { type: "string" },
      confirmations: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      data: { type: "string" },
      name: { type: "string" },
      repin: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  }).values;
}
function parseOrFail(): ReturnType<typeof parse> {
  try {
    return parse();
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }
}
const parsed = parseOrFail();
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}

/** A flag, else its environment variable, else undefined. */
const setting = (flag: keyof typeof parsed, env: string): string | undefined => {
  const value = parsed[flag];
  return (typeof value === "string" ? value : process.env[env])?.trim() || undefined;
};

function wholeNumber(text: string, what: string, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > max)
    fail(`${what} must be a whole number up to ${max}`);
  return value;
}

function pinSource(): PinSource {
  const logUrl = setting("log", "WITNESS_LOG_URL");
  const pinFlags = {
    origin: setting("origin", "WITNESS_ORIGIN"),
    logKey: setting("log-key", "WITNESS_LOG_KEY"),
    contract: setting("contract", "WITNESS_CONTRACT"),
    chainId: setting("chain-id", "WITNESS_CHAIN_ID"),
  };
  const given = Object.values(pinFlags).filter((value) => value !== undefined).length;
  if (given > 0 && logUrl)
    fail("give --log, or --origin, --log-key, --contract and --chain-id, not both");
  if (given > 0 && given < 4) fail("--origin, --log-key, --contract and --chain-id go together");
  if (given === 4) {
    try {
      return {
        pin: explicitPin({
          origin: pinFlags.origin ?? "",
          logKey: pinFlags.logKey ?? "",
          contract: pinFlags.contract ?? "",
          chainId: wholeNumber(pinFlags.chainId ?? "", "--chain-id", Number.MAX_SAFE_INTEGER),
        }),
      };
    } catch (error) {
      return fail((error as Error).message);
    }
  }
  if (logUrl) {
    try {
      logDocumentUrl(logUrl);
    } catch (error) {
      fail(`--log: ${(error as Error).message}`);
    }
    return { logUrl };
  }
  return "stored";
}

const name = setting("name", "WITNESS_NAME") ?? `witness.${hostname()}`;
if (!isValidKeyName(name))
  fail(`--name ${JSON.stringify(name)} must be non-empty, without spaces or "+"`);
const rpcUrl =
  setting("rpc", "WITNESS_RPC_URL") ??
  fail("give --rpc <chain node URL>: the witness cosigns only what the ledger contract holds");
if (!/^https?:\/\//.test(rpcUrl)) fail("--rpc must be an http(s) URL");

/** At least 1 (the latest block); a day of Ethereum blocks is far more than any reorganisation. */
function confirmations(): number {
  const value = wholeNumber(
    setting("confirmations", "WITNESS_CONFIRMATIONS") ?? String(DEFAULT_CONFIRMATIONS),
    "--confirmations",
    10_000,
  );
  if (value < 1) fail("--confirmations must be at least 1 (1 reads the latest block)");
  return value;
}

const source = pinSource();
const witnessLog = log().child({ service: "witness" });
const running = await startWitness({
  dataDir: path.resolve(setting("data", "WITNESS_DATA_DIR") ?? path.join(".data", "witness")),
  name,
  source,
  repin: parsed.repin === true,
  rpcUrl,
  confirmations: confirmations(),
  host: setting("host", "WITNESS_HOST") ?? "127.0.0.1",
  port: wholeNumber(setting("port", "WITNESS_PORT") ?? "3100", "--port", 65_535),
  log: witnessLog,
}).catch((error: unknown) => fail((error as Error).message));
console.log(
  `[witness] ${running.name} witnesses ${running.pin.origin} (contract ${running.pin.contract} on chain ${running.pin.chainId})`,
);
console.log(`[witness] listening on ${running.url}`);
console.log(
  `[witness] for the operator's LOG_WITNESSES: ${JSON.stringify({ key: running.vkey, url: running.url })}`,
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void running.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
