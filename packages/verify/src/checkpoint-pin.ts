/**
 * Which log key, origin and witnesses a checkpoint is verified against: those of the pinned
 * ledger (./pin: the --operator document's, each part replaced by --log-key, --witness and
 * --quorum), the origin line by --origin if given. Never the checkpoint's own.
 */
import { identityDocumentUrl, LedgerIdentityError, type TrustRoot } from "@/lib/ledger/identity";
import { parseVerifierKey } from "@/lib/tlog/note";
import type { CheckpointTrust } from "@/lib/tlog/verify-checkpoint";

export type CheckpointFlags = {
  /** The log's origin line, when not the document's (or, with --log-key, the key's name). */
  origin?: string;
  /** The log's site, for /checkpoint and proofs: else the --operator's. */
  log?: string;
};

/** The trusted log and witnesses; every reason there are none is a usage error. */
export function pinCheckpointTrust(flags: CheckpointFlags, trust: TrustRoot): CheckpointTrust {
  if (trust.logKey === undefined) {
    throw new LedgerIdentityError(
      "invalid_pin",
      `No log pinned: no log key from ${trust.source}; name it with --operator URL, or with --log-key VKEY.`,
    );
  }
  // pin.ts and the identity schema have checked every key's form and type already.
  const logKey = parseVerifierKey(trust.logKey);
  const witnesses = (trust.witnesses ?? []).map(parseVerifierKey);
  const quorum = trust.quorum ?? 0;
  if (quorum > witnesses.length) {
    throw new LedgerIdentityError(
      "invalid_pin",
      `The quorum of ${quorum} asks for more witnesses than the ${witnesses.length} trusted.`,
    );
  }
  // C2SP names a log's key after its origin line: the key's name, unless said otherwise.
  const origin = flags.origin ?? trust.logOrigin ?? logKey.name;
  return { origin, logKey, witnesses, quorum };
}

/** The log's site: --log, else where the pinned document came from. */
export function logSite(flags: CheckpointFlags, operatorOrigin: string | undefined) {
  return flags.log === undefined ? operatorOrigin : identityDocumentUrl(flags.log).origin;
}
