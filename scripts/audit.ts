/**
 * Monitors a Prizeledger log against a pinned ledger contract:
 *   npm run audit -- [--url URL] [--operator URL | --contract 0x… --chain-id N] [--rpc URL]
 *                    [--deadline SECONDS]
 * Downloads every leaf from the public API, rebuilds every root, checks every published and every
 * on-chain checkpoint and the leaves left unanchored past the deadline. The contract is the one
 * the flags name or, with none, this installation's (LEDGER_* settings, or the contract
 * `npm start` deployed): never one the log API names; a published checkpoint naming another is a
 * problem. The URL defaults to the --operator's site, then PRIZELEDGER_URL, then
 * http://localhost:3000; the RPC URL to the pinned ledger's node. Exits 0 when every check
 * passes, 1 on any problem, 2 on a usage error.
 */
import { parseArgs } from "node:util";
import { JsonRpcProvider } from "ethers";
import { OPERATORS_NODE } from "@/packages/verify/src/pin";
import { ConfigError, parseEnv } from "../lib/config/env";
import { describeTrustRoot, LedgerIdentityError } from "../lib/ledger/identity";
import {
  contractChain,
  DEFAULT_DEADLINE_SECONDS,
  type LeavesPage,
  monitorLog,
  type PublishedCheckpoint,
} from "../lib/ledger/monitor-log";
import { type PinnedLedger, pinLedger } from "./lib/pin-ledger";

const USAGE =
  "usage: npm run audit -- [--url URL] [--operator URL | --contract 0x… --chain-id N] [--rpc URL] [--deadline SECONDS]";

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let url = "";
let pinned: PinnedLedger | undefined;
let deadlineSeconds = DEFAULT_DEADLINE_SECONDS;
try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: "string" },
      rpc: { type: "string" },
      operator: { type: "string" },
      contract: { type: "string" },
      "chain-id": { type: "string" },
      deadline: { type: "string" },
    },
  });
  if (positionals.length > 0) usage(`unexpected argument: ${positionals[0]}`);
  if (values.deadline !== undefined) {
    deadlineSeconds = Number(values.deadline);
    if (!Number.isFinite(deadlineSeconds) || deadlineSeconds < 0) {
      usage(`--deadline must be a non-negative number of seconds, got ${values.deadline}`);
    }
  }
  pinned = await pinLedger(
    {
      operator: values.operator,
      contract: values.contract,
      chainId: values["chain-id"],
      rpc: values.rpc,
    },
    parseEnv(),
  );
  url = (
    values.url ??
    pinned.operatorOrigin ??
    process.env.PRIZELEDGER_URL ??
    "http://localhost:3000"
  ).replace(/\/+$/, "");
} catch (error) {
  if (error instanceof LedgerIdentityError || error instanceof ConfigError) usage(error.message);
  usage(error instanceof Error ? error.message : String(error));
}
const { trust, rpcUrl: rpc } = pinned;

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${url}${path}`, { headers: { accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`GET ${url}${path} answered ${response.status} ${response.statusText}`);
  }
  return (await response.json()) as T;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let published: PublishedCheckpoint[];
try {
  published = (await getJson<{ checkpoints: PublishedCheckpoint[] }>("/api/v1/ledger/checkpoints"))
    .checkpoints;
} catch (error) {
  fail(`Cannot read the checkpoints: ${error instanceof Error ? error.message : String(error)}`);
}

const provider = new JsonRpcProvider(rpc, trust.chainId, {
  staticNetwork: true,
  cacheTimeout: -1,
});

console.log(`Trusting ${describeTrustRoot(trust)}`);
console.log(`Auditing ${url} against contract ${trust.contract} via ${rpc}`);
if (pinned.operatorsNode) console.log(OPERATORS_NODE);
let exitCode = 1;
try {
  const actual = Number(await provider.send("eth_chainId", []));
  if (actual !== trust.chainId) {
    fail(`The RPC serves chain ${actual} but the trusted ledger is on chain ${trust.chainId}.`);
  }
  if ((await provider.getCode(trust.contract)) === "0x") {
    fail(`There is no contract at ${trust.contract} on the chain at ${rpc}.`);
  }
  const report = await monitorLog({
    fetchLeaves: (start, end) =>
      getJson<LeavesPage>(`/api/v1/ledger/leaves?start=${start}&end=${end}`),
    fetchCheckpoints: async () => published,
    chain: contractChain(provider, trust.contract, pinned.deploymentBlock),
    ledger: trust,
    deadlineSeconds,
    onProgress: (leaves) => {
      if (leaves % 10_000 === 0 && leaves > 0) console.log(`… ${leaves} leaves`);
    },
  });
  console.log(
    `Leaves: ${report.leaves}; checkpoints checked: ${report.checkpointsChecked}; latest on-chain checkpoint: ${report.anchoredSize}; unanchored leaves: ${Math.max(0, report.leaves - report.anchoredSize)} (deadline ${deadlineSeconds} s)`,
  );
  for (const problem of report.problems) console.log(`✗ ${problem.kind}: ${problem.detail}`);
  console.log(report.ok ? "Audit passed." : `Audit FAILED: ${report.problems.length} problem(s).`);
  exitCode = report.ok ? 0 : 1;
} catch (error) {
  console.error(
    `Audit could not complete: ${error instanceof Error ? error.message : String(error)}`,
  );
} finally {
  provider.destroy();
}
process.exit(exitCode);
