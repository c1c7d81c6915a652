/**
 * Which ledger a terminal command (`npm run verify`, `npm run audit`) trusts: the one the auditor
 * names with flags, or else the installation it runs in. Never the receipt's, never the
 * operator's log API's. Node only: it reads the embedded installation's files.
 */
import path from "node:path";
import { computeAddress, getAddress } from "ethers";
import type { Env } from "@/lib/config/env";
import {
  fetchLedgerIdentity,
  identityDocumentUrl,
  LedgerIdentityError,
  operatorNodeUrl,
  type TrustRoot,
  trustRootOf,
} from "@/lib/ledger/identity";
import { DEV_RECEIPT_KEY, readEmbeddedLedger } from "./embedded-chain";

export type PinnedLedger = {
  trust: TrustRoot;
  /** The node to ask: the auditor's own (`--rpc`), else the pinned source's. */
  rpcUrl: string;
  /** Where the contract's history starts, when the source says. */
  deploymentBlock?: number;
  /** The operator's site, when pinned by its published document: its log API is there. */
  operatorOrigin?: string;
};

export type PinFlags = { operator?: string; contract?: string; chainId?: string; rpc?: string };

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

/**
 * The ledger the flags name: `--operator` (its published identity), or `--contract` with
 * `--chain-id`; with neither, the installation's own.
 */
export async function pinLedger(
  flags: PinFlags,
  config: Env,
  fetchFn: typeof fetch = fetch,
): Promise<PinnedLedger> {
  const pinned = await pinnedBy(flags, config, fetchFn);
  return flags.rpc === undefined ? pinned : { ...pinned, rpcUrl: flags.rpc };
}

async function pinnedBy(
  flags: PinFlags,
  config: Env,
  fetchFn: typeof fetch,
): Promise<PinnedLedger> {
  const byContract = flags.contract !== undefined || flags.chainId !== undefined;
  if (flags.operator !== undefined && byContract) {
    throw new LedgerIdentityError(
      "invalid_pin",
      "Name the ledger either with --operator or with --contract and --chain-id, not both.",
    );
  }
  if (flags.operator !== undefined) {
    const url = identityDocumentUrl(flags.operator);
    const identity = await fetchLedgerIdentity(url, fetchFn);
    return {
      trust: trustRootOf(identity, url.toString()),
      // The auditor's own node needs no vetting: the document's is refused over plain http.
      rpcUrl: flags.rpc ?? operatorNodeUrl(identity),
      deploymentBlock: identity.deploymentBlock,
      operatorOrigin: url.origin,
    };
  }
  if (!byContract) return installationLedger(config);
  if (flags.contract === undefined || flags.chainId === undefined) {
    throw new LedgerIdentityError(
      "invalid_pin",
      "--contract and --chain-id go together: a contract address means nothing without its chain.",
    );
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(flags.contract)) {
    throw new LedgerIdentityError("invalid_pin", `--contract is not an address: ${flags.contract}`);
  }
  const chainId = Number(flags.chainId);
  if (!/^[1-9][0-9]*$/.test(flags.chainId) || !Number.isSafeInteger(chainId)) {
    throw new LedgerIdentityError(
      "invalid_pin",
      `--chain-id must be a positive integer: ${flags.chainId}`,
    );
  }
  return {
    trust: {
      chainId,
      contract: getAddress(flags.contract.toLowerCase()),
      source: "--contract and --chain-id",
    },
    rpcUrl: installationRpcUrl(config),
  };
}
