/**
 * Which log key, origin and witnesses a checkpoint is verified against: what the identity
 * document the auditor pinned with --operator says, each part replaced by its flag (--log-key,
 * --origin, --witness, --quorum). Never the checkpoint's own.
 */
import {
  identityDocumentUrl,
  type LedgerIdentity,
  LedgerIdentityError,
} from "@/lib/ledger/identity";
import { parseDecimal } from "@/lib/tlog/decimal";
import { COSIGNATURE_V1, ED25519, type KeyType, parseVerifierKey } from "@/lib/tlog/note";
import type { CheckpointTrust } from "@/lib/tlog/verify-checkpoint";

export type CheckpointFlags = {
  logKey?: string;
  origin?: string;
  witness?: string[];
  quorum?: string;
  /** The log's site, for /checkpoint and proofs: else the --operator's. */
  log?: string;
};

const KINDS: Record<KeyType, string> = {
  1: "an Ed25519 note key (type 0x01)",
  4: "a cosignature/v1 key (type 0x04)",
};

/** A key of the type its use needs; `bad` makes the error (a usage or a document error). */
function keyOf(vkey: string, type: KeyType, bad: (why: string) => Error) {
  let key: ReturnType<typeof parseVerifierKey>;
  try {
    key = parseVerifierKey(vkey);
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (key.type !== type) throw bad(`${key.name} is not ${KINDS[type]}`);
  return key;
}

const flagError = (flag: string) => (why: string) =>
  new LedgerIdentityError("invalid_pin", `${flag}: ${why}`);
const documentError = (why: string) =>
  new LedgerIdentityError("bad_identity_document", `The operator's document: ${why}`);

/** The trusted log and witnesses; every reason there are none is a usage error. */
export function pinCheckpointTrust(
  flags: CheckpointFlags,
  identity: LedgerIdentity | undefined,
): CheckpointTrust {
  const logKey =
    flags.logKey !== undefined
      ? keyOf(flags.logKey, ED25519, flagError("--log-key"))
      : identity?.log && keyOf(identity.log.key, ED25519, documentError);
  if (!logKey) {
    throw new LedgerIdentityError(
      "invalid_pin",
      identity
        ? "The operator's document names no signed log: pin one with --log-key."
        : "No log pinned: name it with --operator URL, or with --log-key <vkey>.",
    );
  }
  // C2SP names a log's key after its origin line: the key's name, unless said otherwise.
  const origin =
    flags.origin ?? (flags.logKey === undefined ? identity?.log?.origin : undefined) ?? logKey.name;
  const witnesses =
    flags.witness !== undefined
      ? flags.witness.map((w) => keyOf(w, COSIGNATURE_V1, flagError("--witness")))
      : (identity?.witnesses ?? []).map((w) => keyOf(w.key, COSIGNATURE_V1, documentError));
  const quorum =
    flags.quorum === undefined ? (identity?.witnessQuorum ?? 0) : parseDecimal(flags.quorum);
  if (quorum === null) {
    throw new LedgerIdentityError(
      "invalid_pin",
      `--quorum must be a whole number of witnesses: ${flags.quorum}`,
    );
  }
  if (quorum > witnesses.length) {
    throw new LedgerIdentityError(
      "invalid_pin",
      `The quorum of ${quorum} asks for more witnesses than the ${witnesses.length} trusted.`,
    );
  }
  return { origin, logKey, witnesses, quorum };
}

/** The log's site: --log, else where the pinned document came from. */
export function logSite(flags: CheckpointFlags, operatorOrigin: string | undefined) {
  return flags.log === undefined ? operatorOrigin : identityDocumentUrl(flags.log).origin;
}
