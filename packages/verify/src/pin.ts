/**
 * Which ledger a verifier trusts: the one the auditor names with flags (`--operator`, or
 * `--contract` with `--chain-id`), else, for a command run inside an installation, that
 * installation's. Never the receipt's, never the operator's log API's. Nothing here reads the
 * installation itself (scripts/lib/pin-ledger does): the standalone package bundles this file.
 */
import { getAddress } from "ethers";
import {
  fetchLedgerIdentity,
  identityDocumentUrl,
  LedgerIdentityError,
  operatorNodeUrl,
  type TrustRoot,
  trustRootOf,
} from "@/lib/ledger/identity";
import {
  assertDistinctKeys,
  COSIGNATURE_V1,
  ED25519,
  parseVerifierKey,
  type VerifierKey,
} from "@/lib/tlog/note";

export type PinnedLedger = {
  trust: TrustRoot;
  /** The node to ask: the auditor's own (`--rpc`), else the pinned source's. */
  rpcUrl: string;
  /** Where the contract's history starts, when the source says. */
  deploymentBlock?: number;
  /** The operator's site, when pinned by its published document: its log API is there. */
  operatorOrigin?: string;
  /** Set when `rpcUrl` is the operator's own node (no --rpc): its chain is the operator's word. */
  operatorsNode?: true;
};

/** Said by a run that asks the operator's own node (the README says it too). */
export const OPERATORS_NODE =
  "That node is the operator's own (from its document): what it says of the chain is the operator's word. Pass --rpc URL to ask a node you chose.";

export type PinFlags = {
  operator?: string;
  contract?: string;
  chainId?: string;
  rpc?: string;
  /** The log's checkpoint key (`--log-key`), instead of the pinned source's. */
  logKey?: string;
  /** The witnesses the auditor trusts (`--witness`, repeated), instead of the source's. */
  witnesses?: string[];
  /** How many of them must have cosigned (`--quorum`), instead of the source's quorum. */
  quorum?: string;
};

/**
 * The installation a command runs in: its own ledger, and the node it reaches. Read only when
 * the flags leave them to it, so that a broken installation does not stop a flag-pinned check.
 */
export type Installation = { ledger(): PinnedLedger; rpcUrl(): string };

/**
 * The ledger the flags name: `--operator` (its published identity), or `--contract` with
 * `--chain-id`; with neither, the installation's own, and without an installation a usage error.
 */
export async function pinLedger(
  flags: PinFlags,
  installation: Installation | undefined,
  fetchFn: typeof fetch = fetch,
): Promise<PinnedLedger> {
  const pinned = await pinnedBy(flags, installation, fetchFn);
  const trust = withSignatureFlags(pinned.trust, flags);
  return flags.rpc === undefined ? { ...pinned, trust } : { ...pinned, trust, rpcUrl: flags.rpc };
}

/** The verifier key a flag names, of the type its use needs; a usage error in words if not. */
function flagKey(flag: string, vkey: string, type: number, kind: string): VerifierKey {
  let key: VerifierKey;
  try {
    key = parseVerifierKey(vkey);
  } catch (error) {
    throw new LedgerIdentityError("invalid_pin", `${flag}: ${(error as Error).message}`);
  }
  if (key.type !== type) {
    throw new LedgerIdentityError("invalid_pin", `${flag} ${key.name}: not ${kind}`);
  }
  return key;
}

/** The --witness keys; two that a cosignature line would name alike are a usage error. */
function witnessFlags(vkeys: string[]): string[] {
  const keys = vkeys.map((w) =>
    flagKey("--witness", w, COSIGNATURE_V1, "a cosignature/v1 key (type 0x04)"),
  );
  try {
    assertDistinctKeys(keys);
  } catch (error) {
    throw new LedgerIdentityError("invalid_pin", `--witness: ${(error as Error).message}`);
  }
  return vkeys;
}

/**
 * The auditor's own log key, witnesses and k, each replacing what the pinned source says: the
 * signatures that count are the auditor's choice, whoever's ledger they trust.
 */
function withSignatureFlags(trust: TrustRoot, flags: PinFlags): TrustRoot {
  const out = { ...trust };
  if (flags.logKey !== undefined) {
    out.logKey = flagKey(
      "--log-key",
      flags.logKey,
      ED25519,
      "an Ed25519 note key (type 0x01)",
    ).vkey;
    // The origin is then the key's name (C2SP: a log's key is named after its origin).
    delete out.logOrigin;
  }
  if (flags.witnesses !== undefined) {
    out.witnesses = witnessFlags(flags.witnesses);
    // The auditor's witnesses are all required unless --quorum says otherwise: k never comes
    // from the document of the operator being checked, nor falls to 0 with --contract.
    out.quorum = out.witnesses.length;
    out.quorumFrom = "every --witness";
  }
  if (flags.quorum !== undefined) {
    if (!/^[0-9]{1,3}$/.test(flags.quorum)) {
      throw new LedgerIdentityError(
        "invalid_pin",
        `--quorum must be a whole number of witnesses: ${flags.quorum}`,
      );
    }
    out.quorum = Number(flags.quorum);
    out.quorumFrom = "--quorum";
  }
  return out;
}

async function pinnedBy(
  flags: PinFlags,
  installation: Installation | undefined,
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
      ...(flags.rpc === undefined && { operatorsNode: true as const }),
    };
  }
  if (!byContract) {
    if (installation) return installation.ledger();
    throw new LedgerIdentityError(
      "ledger_identity_unconfigured",
      "No ledger named: name the one to trust with --operator URL, or with --contract 0x… --chain-id N --rpc URL.",
    );
  }
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
  // A contract address says nothing of where its chain is: outside an installation, ask --rpc.
  const rpcUrl = flags.rpc ?? installation?.rpcUrl();
  if (rpcUrl === undefined) {
    throw new LedgerIdentityError(
      "invalid_pin",
      "--contract and --chain-id need --rpc URL here: there is no installation whose node to ask.",
    );
  }
  return {
    trust: {
      chainId,
      contract: getAddress(flags.contract.toLowerCase()),
      source: "--contract and --chain-id",
    },
    rpcUrl,
  };
}
