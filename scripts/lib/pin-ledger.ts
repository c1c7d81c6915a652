/**
 * Which ledger a terminal command (`npm run verify`, `npm run audit`) trusts: the one the auditor
 * names with flags (packages/verify/src/pin, which the standalone verifier shares), or else the
 * installation it runs in. Never the receipt's, never the operator's log API's. Node only: it
 * reads the embedded installation's files.
 */
import path from "node:path";
import { computeAddress, getAddress } from "ethers";
import type { Env } from "@/lib/config/env";
import { LedgerIdentityError } from "@/lib/ledger/identity";
import {
  type Installation,
  type PinFlags,
  type PinnedLedger,
  pinLedger as pinByFlags,
} from "@/packages/verify/src/pin";
import { DEV_RECEIPT_KEY, readEmbeddedLedger } from "./embedded-chain";

export type { PinFlags, PinnedLedger };

/** The chain node a command inside this installation reaches: its own, else the embedded one. */
function installationRpcUrl(config: Env): string {
  return (
    config.LEDGER_RPC_URL ??
    config.LEDGER_PUBLIC_RPC_URL ??
    `http://127.0.0.1:${config.EMBEDDED_CHAIN_PORT}`
  );
}

/**
 * The installation's own ledger: the LEDGER_* settings when LEDGER_CONTRACT is set, otherwise the
 * contract `npm start` deployed on the embedded chain, as PRIZELEDGER_DATA_DIR/chain records it.
 */
export function installationLedger(config: Env): PinnedLedger {
  if (config.LEDGER_CONTRACT) {
    if (config.LEDGER_CHAIN_ID === undefined) {
      throw new LedgerIdentityError(
        "ledger_identity_unconfigured",
        "LEDGER_CONTRACT is set but LEDGER_CHAIN_ID is not: set it, or pin the ledger with --chain-id.",
      );
    }
    return {
      trust: {
        chainId: config.LEDGER_CHAIN_ID,
        contract: getAddress(config.LEDGER_CONTRACT.toLowerCase()),
        // Without the signing key the contract's role is what says who may sign.
        receiptSigners: config.RECEIPT_SIGNING_KEY
          ? [computeAddress(config.RECEIPT_SIGNING_KEY)]
          : undefined,
        source: "this installation (LEDGER_CONTRACT, LEDGER_CHAIN_ID)",
      },
      rpcUrl: installationRpcUrl(config),
      deploymentBlock: config.LEDGER_DEPLOYMENT_BLOCK,
    };
  }
  const dir = path.join(config.PRIZELEDGER_DATA_DIR, "chain");
  const record = readEmbeddedLedger(dir);
  if (!record) {
    throw new LedgerIdentityError(
      "ledger_identity_unconfigured",
      `No installation here (no ${path.join(dir, "ledger.json")} and no LEDGER_CONTRACT): name the ledger to trust with --operator URL, or --contract and --chain-id.`,
    );
  }
  return {
    trust: {
      chainId: record.chainId,
      contract: getAddress(record.contract.toLowerCase()),
      receiptSigners: [computeAddress(DEV_RECEIPT_KEY)],
      source: `this installation (${path.join(dir, "ledger.json")})`,
    },
    rpcUrl: installationRpcUrl(config),
    deploymentBlock: record.deploymentBlock,
  };
}

/** The installation this command runs in, read only if the flags leave the choice to it. */
export function installationOf(config: Env): Installation {
  return { ledger: () => installationLedger(config), rpcUrl: () => installationRpcUrl(config) };
}

/**
 * The ledger the flags name (`--operator`, or `--contract` with `--chain-id`); with neither, the
 * installation's own.
 */
export function pinLedger(
  flags: PinFlags,
  config: Env,
  fetchFn: typeof fetch = fetch,
): Promise<PinnedLedger> {
  return pinByFlags(flags, installationOf(config), fetchFn);
}
