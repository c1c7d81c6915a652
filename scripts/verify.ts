/**
 * Verifies a Prizeledger receipt against a pinned ledger:
 *   npm run verify -- receipt.json [--operator URL | --contract 0x… --chain-id N] [--rpc URL]
 * With no flags, inside an installation, it trusts that installation's ledger (LEDGER_* settings,
 * or the contract `npm start` deployed). The receipt's own chain and contract are never trusted.
 * Exits 0 only if every step passes, 1 if any fails, 2 on a usage error.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { JsonRpcProvider } from "ethers";
import { ConfigError, parseEnv } from "../lib/config/env";
import { describeTrustRoot, LedgerIdentityError } from "../lib/ledger/identity";
import { verifyProvisionalReceipt } from "../lib/ledger/provisional";
import { verifyReceipt } from "../lib/ledger/receipt";
import { type PinnedLedger, pinLedger } from "./lib/pin-ledger";

const USAGE =
  "usage: npm run verify -- <receipt.json> [--operator URL | --contract 0x… --chain-id N] [--rpc URL]";

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

let file = "";
let pinned: PinnedLedger | undefined;
try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      rpc: { type: "string" },
      operator: { type: "string" },
      contract: { type: "string" },
      "chain-id": { type: "string" },
    },
  });
  if (positionals.length !== 1) fail(USAGE, 2);
  file = positionals[0] as string;
  pinned = await pinLedger(
    {
      operator: values.operator,
      contract: values.contract,
      chainId: values["chain-id"],
      rpc: values.rpc,
    },
    parseEnv(),
  );
} catch (error) {
  if (error instanceof LedgerIdentityError || error instanceof ConfigError) fail(error.message, 2);
  fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, 2);
}
const { trust, rpcUrl: rpc } = pinned;

let receipt: unknown;
try {
  receipt = JSON.parse(await readFile(file, "utf8"));
} catch (error) {
  const reason = error instanceof SyntaxError ? `is not JSON (${error.message})` : "cannot be read";
  fail(`${file} ${reason}`);
}

// The pinned chain id only spares ethers a network probe: the chain step asks the node itself.
const provider = new JsonRpcProvider(rpc, trust.chainId, { staticNetwork: true });

console.log(`Trusting ${describeTrustRoot(trust)}`);
console.log(`Verifying ${file} against ${rpc}`);
const print = (step: { ok: boolean; label: string; detail: string; skipped?: true }) =>
  console.log(`${step.skipped ? "–" : step.ok ? "✓" : "✗"} ${step.label}: ${step.detail}`);
// A provisional receipt (status "pending") carries a signed promise instead of a proof.
const provisional = (receipt as { status?: unknown } | null)?.status === "pending";
const { ok, reason } = provisional
  ? await verifyProvisionalReceipt(receipt, provider, trust).then((r) => {
      r.steps.forEach(print);
      return r;
    })
  : await verifyReceipt(receipt, provider, trust, print);
provider.destroy();
console.log(
  ok
    ? provisional
      ? "Provisional receipt verified: a signed promise to anchor by its deadline."
      : "Receipt verified."
    : `Receipt NOT verified${reason ? ` (${reason})` : ""}.`,
);
process.exit(ok ? 0 : 1);
