/**
 * Verifies a Prizeledger receipt against the chain:
 *   npm run verify -- receipt.json [--rpc URL]
 * The RPC URL defaults to LEDGER_RPC_URL, then http://127.0.0.1:8545. Exits 0 only if every
 * step passes.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { JsonRpcProvider } from "ethers";
import { verifyProvisionalReceipt } from "../lib/ledger/provisional";
import { verifyReceipt } from "../lib/ledger/receipt";

const USAGE = "usage: npm run verify -- <receipt.json> [--rpc URL]";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let file: string | undefined;
let rpc: string;
try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { rpc: { type: "string" } },
  });
  if (positionals.length !== 1) fail(USAGE);
  file = positionals[0];
  rpc = values.rpc ?? process.env.LEDGER_RPC_URL ?? "http://127.0.0.1:8545";
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
}

let receipt: unknown;
try {
  receipt = JSON.parse(await readFile(file as string, "utf8"));
} catch (error) {
  const reason = error instanceof SyntaxError ? `is not JSON (${error.message})` : "cannot be read";
  fail(`${file} ${reason}`);
}

// The receipt's chain id only spares ethers a network probe; the chain step still asks the node.
const claimedChainId = (receipt as { anchor?: { chainId?: unknown } } | null)?.anchor?.chainId;
const provider = new JsonRpcProvider(
  rpc,
  typeof claimedChainId === "number" && Number.isSafeInteger(claimedChainId) && claimedChainId > 0
    ? claimedChainId
    : undefined,
  { staticNetwork: true },
);

console.log(`Verifying ${file} against ${rpc}`);
const print = (step: { ok: boolean; label: string; detail: string }) =>
  console.log(`${step.ok ? "✓" : "✗"} ${step.label}: ${step.detail}`);
// A provisional receipt (status "pending") carries a signed promise instead of a proof.
const provisional = (receipt as { status?: unknown } | null)?.status === "pending";
const { ok } = provisional
  ? await verifyProvisionalReceipt(receipt, provider).then((r) => {
      r.steps.forEach(print);
      return r;
    })
  : await verifyReceipt(receipt, provider, print);
provider.destroy();
console.log(
  ok
    ? provisional
      ? "Provisional receipt verified: a signed promise to anchor by its deadline."
      : "Receipt verified."
    : "Receipt NOT verified.",
);
process.exit(ok ? 0 : 1);
