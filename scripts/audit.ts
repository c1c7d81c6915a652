/**
 * Monitors a Prizeledger log against the chain:
 *   npm run audit -- [--url URL] [--rpc URL] [--contract ADDRESS] [--deadline SECONDS]
 * Downloads every leaf from the public API, rebuilds every root, checks every published and every
 * on-chain checkpoint and the leaves left unanchored past the deadline. The URL defaults to
 * PRIZELEDGER_URL, then http://localhost:3000; the RPC URL to LEDGER_RPC_URL, then
 * http://127.0.0.1:8545. Exits 0 when every check passes, 1 on any problem, 2 on a usage error.
 */
import { parseArgs } from "node:util";
import { getAddress, JsonRpcProvider } from "ethers";
import {
  type AuditChain,
  auditLog,
  contractChain,
  DEFAULT_DEADLINE_SECONDS,
  type LeavesPage,
} from "../lib/ledger/audit-log";

const USAGE =
  "usage: npm run audit -- [--url URL] [--rpc URL] [--contract ADDRESS] [--deadline SECONDS]";

type ApiCheckpoint = {
  treeSize: number;
  rootHash: string;
  chainId: number | null;
  contract: string | null;
};

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let url: string;
let rpc: string;
let contractOption: string | undefined;
let deadlineSeconds = DEFAULT_DEADLINE_SECONDS;
try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: "string" },
      rpc: { type: "string" },
      contract: { type: "string" },
      deadline: { type: "string" },
    },
  });
  if (positionals.length > 0) usage(`unexpected argument: ${positionals[0]}`);
  url = (values.url ?? process.env.PRIZELEDGER_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  rpc = values.rpc ?? process.env.LEDGER_RPC_URL ?? "http://127.0.0.1:8545";
  if (values.contract !== undefined) {
    try {
      contractOption = getAddress(values.contract);
    } catch {
      usage(`--contract is not an address: ${values.contract}`);
    }
  }
  if (values.deadline !== undefined) {
    deadlineSeconds = Number(values.deadline);
    if (!Number.isFinite(deadlineSeconds) || deadlineSeconds < 0) {
      usage(`--deadline must be a non-negative number of seconds, got ${values.deadline}`);
    }
  }
} catch (error) {
  usage(error instanceof Error ? error.message : String(error));
}

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

let published: ApiCheckpoint[];
try {
  published = (await getJson<{ checkpoints: ApiCheckpoint[] }>("/api/v1/ledger/checkpoints"))
    .checkpoints;
} catch (error) {
  fail(`Cannot read the checkpoints: ${error instanceof Error ? error.message : String(error)}`);
}

const newest = published[0];
const contract = contractOption ?? (newest?.contract ? getAddress(newest.contract) : undefined);
if (!contract) {
  console.log(
    `${url} has published no anchored checkpoint yet: checking the leaves and the anchoring deadline only (pass --contract to check a contract anyway).`,
  );
}
const ours = published.filter((cp) => cp.contract && getAddress(cp.contract) === contract);
const chainId = ours[0]?.chainId ?? undefined;
if (ours.length < published.length) {
  console.log(
    `Note: ${published.length - ours.length} published checkpoint(s) name another contract and are not checked.`,
  );
}

const provider = contract
  ? new JsonRpcProvider(rpc, chainId, { staticNetwork: true, cacheTimeout: -1 })
  : undefined;
/** Before the first checkpoint: a contract that holds nothing. */
const NO_CHAIN: AuditChain = {
  latestCheckpoint: async () => ({ treeSize: 0, rootHash: `0x${"0".repeat(64)}` }),
  checkpointAt: async () => ({ rootHash: `0x${"0".repeat(64)}`, blockTime: 0 }),
  checkpointEvents: async () => [],
};

console.log(`Auditing ${url}${contract ? ` against contract ${contract} via ${rpc}` : ""}`);
let exitCode = 1;
try {
  if (provider && chainId) {
    const actual = Number((await provider.getNetwork()).chainId);
    if (actual !== chainId) {
      fail(`The RPC serves chain ${actual} but the checkpoints were anchored on chain ${chainId}.`);
    }
  }
  if (provider && contract && (await provider.getCode(contract)) === "0x") {
    fail(`There is no contract at ${contract} on the chain at ${rpc}.`);
  }
  const report = await auditLog({
    fetchLeaves: (start, end) =>
      getJson<LeavesPage>(`/api/v1/ledger/leaves?start=${start}&end=${end}`),
    fetchCheckpoints: async () => ours,
    chain: provider && contract ? contractChain(provider, contract) : NO_CHAIN,
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
  provider?.destroy();
}
process.exit(exitCode);
