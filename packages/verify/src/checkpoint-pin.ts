/**
 * Which log key, origin and witnesses a checkpoint is verified against: the flags', else those
 * of the identity document the auditor pinned with --operator. Never the checkpoint's own.
 */
import { checkpointTrustOf } from "@/lib/ledger/checkpoint-sources";
import {
  identityDocumentUrl,
  type LedgerIdentity,
  LedgerIdentityError,
} from "@/lib/ledger/identity";
import { parseDecimal } from "@/lib/tlog/decimal";
import { parseVerifierKey, type VerifierKey } from "@/lib/tlog/note";
import type { CheckpointTrust } from "@/lib/tlog/verify-checkpoint";

export type CheckpointFlags = {
  logKey?: string;
  origin?: string;
  witness?: string[];
  quorum?: string;
  /** The log's site, for /checkpoint and proofs: else the --operator's. */
  log?: string;
};

const invalid = (message: string) => new LedgerIdentityError("invalid_pin", message);

function key(flag: string, vkey: string): VerifierKey {
  try {
    return parseVerifierKey(vkey);
  } catch (error) {
    throw invalid(`${flag} ${vkey}: ${(error as Error).message}`);
  }
}

function documentTrust(identity: LedgerIdentity): CheckpointTrust {
  try {
    return checkpointTrustOf(identity);
  } catch (error) {
    throw new LedgerIdentityError(
      "bad_identity_document",
      `The operator's document names an unusable key: ${(error as Error).message}`,
    );
  }
}

/** The log as the flags name it, else as the document does; neither is a usage error. */
function pinnedLog(flags: CheckpointFlags, identity: LedgerIdentity | undefined): CheckpointTrust {
  if ((flags.logKey === undefined) !== (flags.origin === undefined)) {
    throw invalid("--log-key and --origin go together: a log is its key and its origin line.");
  }
  if (flags.logKey !== undefined && flags.origin !== undefined) {
    // Pinned by hand: only witnesses named by hand too, not a document's.
    const logKey = key("--log-key", flags.logKey);
    return { origin: flags.origin, logKey, witnesses: [], quorum: 0 };
  }
  if (identity?.log) return documentTrust(identity);
  throw invalid(
    identity
      ? "The operator's document names no signed log: pin one with --log-key and --origin."
      : "No log pinned: name it with --operator URL, or with --log-key <vkey> --origin <origin>.",
  );
}

/** The trusted log and witnesses; every reason there are none is a usage error. */
export function pinCheckpointTrust(
  flags: CheckpointFlags,
  identity: LedgerIdentity | undefined,
): CheckpointTrust {
  let trust = pinnedLog(flags, identity);
  const witnesses = flags.witness ?? [];
  if (witnesses.length > 0) {
    // Witnesses named by hand are all required, unless --quorum says otherwise.
    const keys = witnesses.map((w) => key("--witness", w));
    trust = { ...trust, witnesses: keys, quorum: keys.length };
  }
  if (flags.quorum !== undefined) {
    const k = parseDecimal(flags.quorum);
    if (k === null) throw invalid(`--quorum must be a whole number: ${flags.quorum}`);
    trust = { ...trust, quorum: k };
  }
  if (trust.quorum > trust.witnesses.length) {
    throw invalid(
      `--quorum ${trust.quorum} asks for more witnesses than the ${trust.witnesses.length} trusted.`,
    );
  }
  return trust;
}

/** The log's site: --log, else where the pinned document came from. */
export function logSite(flags: CheckpointFlags, operatorOrigin: string | undefined) {
  return flags.log === undefined ? operatorOrigin : identityDocumentUrl(flags.log).origin;
}
