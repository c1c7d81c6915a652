/**
 * Verifies the log's signed checkpoint (c2sp.org/tlog-checkpoint) against keys the verifier
 * pinned, never keys the note names: the log's Ed25519 signature and origin, k of n trusted
 * witnesses' cosignatures (c2sp.org/tlog-cosignature), consistency with a checkpoint verified
 * before, and the contract's anchored root at that size. The standalone verifier and /verify both
 * run it, with sources of proofs and anchored roots (lib/ledger/checkpoint-sources). Isomorphic:
 * no Buffer, no node: imports, and no chain library.
 */
import { type Hash, toHex, verifyConsistency } from "@/lib/ledger/merkle";
import { encodeBase64 } from "./base64";
import { type Checkpoint, parseCheckpoint } from "./checkpoint";
import { COSIGNATURE_V1, ED25519, openNote, type VerifierKey } from "./note";

export type CheckpointStepId = "logSignature" | "witnesses" | "consistency" | "onChain";

/** The same shape as a receipt's steps, so /verify and the command line show them alike. */
export type CheckpointStep = {
  id: CheckpointStepId;
  label: string;
  ok: boolean;
  detail: string;
  skipped?: true;
};

/** What the verifier pinned: from an identity document it chose, or from flags. */
export type CheckpointTrust = {
  origin: string;
  /** The log's key (type 0x01). */
  logKey: VerifierKey;
  /** Cosigner keys (type 0x04) the verifier trusts; duplicates count once. */
  witnesses: VerifierKey[];
  /** How many distinct trusted witnesses must have cosigned. */
  quorum: number;
};

/** A checkpoint verified earlier: this one must extend it. */
export type PreviousCheckpoint = { size: number; rootHash: Hash };

export type CheckpointSources = {
  /** The RFC 6962 consistency proof from `from` leaves to `to` (checked here, not trusted). */
  consistencyProof: (from: number, to: number) => Promise<Hash[]>;
  /** The root the contract anchored for `size`, or null when it holds none. */
  anchoredRoot: (size: number) => Promise<Hash | null>;
};

export type CheckpointResult = {
  ok: boolean;
  steps: CheckpointStep[];
  /** The checkpoint the note carries, once its log signature verified. */
  checkpoint?: Checkpoint;
};

const LABELS: Record<CheckpointStepId, string> = {
  logSignature: "Log signature",
  witnesses: "Witness cosignatures",
  consistency: "Consistency with the last verified checkpoint",
  onChain: "Checkpoint on chain",
};
const ORDER: CheckpointStepId[] = ["logSignature", "witnesses", "consistency", "onChain"];

/** Clocks disagree a little; a cosignature from further ahead than this was not made yet. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** "1 entry", "5 entries": a count with its noun. */
export function countOf(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

const entries = (n: number) => countOf(n, "entry", "entries");

function errorText(error: unknown): string {
  if (error && typeof error === "object" && "shortMessage" in error)
    return String(error.shortMessage);
  return error instanceof Error ? error.message : String(error);
}

function short(hash: Hash): string {
  const hex = toHex(hash);
  return `${hex.slice(0, 10)}…${hex.slice(-6)}`;
}

function sameHash(a: Hash, b: Hash): boolean {
  return toHex(a) === toHex(b);
}

/**
 * Verifies `note` step by step. Every step is reported (through `onStep` too); when the log's
 * signature fails nothing the note says can be believed, so the others are reported as not run.
 * `now` is in POSIX seconds.
 */
export async function verifyCheckpoint(
  note: string,
  trust: CheckpointTrust,
  sources: CheckpointSources,
  options: {
    previous?: PreviousCheckpoint;
    now?: number;
    onStep?: (step: CheckpointStep) => void;
  } = {},
): Promise<CheckpointResult> {
  const steps: CheckpointStep[] = [];
  const report = (step: Omit<CheckpointStep, "label">) => {
    const full = { ...step, label: LABELS[step.id] };
    steps.push(full);
    options.onStep?.(full);
  };
  const result = (checkpoint?: Checkpoint): CheckpointResult => ({
    ok: steps.length === ORDER.length && steps.every((s) => s.ok),
    steps,
    ...(checkpoint && { checkpoint }),
  });

  const signed = await checkLogSignature(note, trust);
  report({ id: "logSignature", ...signed.step });
  if (!signed.checkpoint) {
    for (const id of ORDER.slice(1)) {
      const detail = "Not run: the checkpoint is not signed by the pinned log key.";
      report({ id, ok: false, detail, skipped: true });
    }
    return result();
  }
  const checkpoint = signed.checkpoint;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  report({ id: "witnesses", ...(await checkWitnesses(note, trust, now)) });
  report({
    id: "consistency",
    ...(await checkConsistency(checkpoint, options.previous, sources)),
  });
  report({ id: "onChain", ...(await checkOnChain(checkpoint, sources)) });
  return result(checkpoint);
}

type Outcome = { ok: boolean; detail: string };

async function checkLogSignature(
  note: string,
  trust: CheckpointTrust,
): Promise<{ step: Outcome; checkpoint?: Checkpoint }> {
  const fail = (detail: string) => ({ step: { ok: false, detail } });
  if (trust.logKey.type !== ED25519) {
    return fail(`The pinned log key ${trust.logKey.name} is not an Ed25519 note key (type 0x01).`);
  }
  let opened: Awaited<ReturnType<typeof openNote>>;
  try {
    opened = await openNote(note, [trust.logKey]);
  } catch (error) {
    return fail(`The note does not verify: ${errorText(error)}.`);
  }
  if (opened.verified.length === 0) {
    return fail(`The note carries no signature by the pinned log key ${trust.logKey.vkey}.`);
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(opened.text);
  } catch (error) {
    return fail(`The signed note is not a checkpoint: ${errorText(error)}.`);
  }
  if (checkpoint.origin !== trust.origin) {
    return fail(
      `The checkpoint is for log ${JSON.stringify(checkpoint.origin)}, the pinned log is ${JSON.stringify(trust.origin)}.`,
    );
  }
  return {
    step: {
      ok: true,
      detail: `Signed by the pinned key ${trust.logKey.name}: log ${checkpoint.origin}, ${entries(checkpoint.size)}, root ${short(checkpoint.rootHash)}.`,
    },
    checkpoint,
  };
}

/**
 * The trusted witnesses, each public key once: a cosignature signs no name, so one key under two
 * names would otherwise count one cosignature twice.
 */
function distinctWitnesses(keys: VerifierKey[]): VerifierKey[] {
  const seen = new Set<string>();
  return keys.filter((key) => {
    const publicKey = encodeBase64(key.publicKey);
    return !seen.has(publicKey) && seen.add(publicKey);
  });
}

async function checkWitnesses(note: string, trust: CheckpointTrust, now: number): Promise<Outcome> {
  const witnesses = distinctWitnesses(trust.witnesses);
  const notCosigner = witnesses.find((key) => key.type !== COSIGNATURE_V1);
  if (notCosigner) {
    return {
      ok: false,
      detail: `The witness key ${notCosigner.name} is not a cosignature key (type 0x04).`,
    };
  }
  if (trust.quorum > witnesses.length) {
    return {
      ok: false,
      detail: `${countOf(trust.quorum, "witness is", "witnesses are")} required, but only ${witnesses.length} trusted.`,
    };
  }
  let verified: Awaited<ReturnType<typeof openNote>>["verified"];
  try {
    verified = (await openNote(note, witnesses)).verified;
  } catch (error) {
    return { ok: false, detail: `A trusted witness's cosignature is bad: ${errorText(error)}.` };
  }
  const future = verified.filter((v) => (v.timestamp ?? 0) > now + MAX_CLOCK_SKEW_SECONDS);
  const counted = verified.filter((v) => !future.includes(v));
  const named = counted.map(
    (v) => `${v.key.name} at ${new Date((v.timestamp ?? 0) * 1000).toISOString()}`,
  );
  const problems = future.map(
    (v) =>
      `${v.key.name}'s cosignature is dated ${new Date((v.timestamp ?? 0) * 1000).toISOString()}, in the future; it does not count`,
  );
  const ok = counted.length >= trust.quorum;
  const tally =
    witnesses.length === 0
      ? "No witnesses are trusted, so none are required."
      : `${counted.length} of ${witnesses.length} trusted witnesses cosigned (${trust.quorum} required)${named.length > 0 ? `: ${named.join(", ")}` : ""}.`;
  return { ok, detail: [tally, ...problems.map((p) => `${p}.`)].join(" ") };
}

async function checkConsistency(
  checkpoint: Checkpoint,
  previous: PreviousCheckpoint | undefined,
  sources: CheckpointSources,
): Promise<Outcome> {
  if (!previous) {
    return { ok: true, detail: "No checkpoint verified earlier was given: nothing to compare." };
  }
  const { size, rootHash } = checkpoint;
  if (previous.size > size) {
    return {
      ok: false,
      detail: `Rollback: this checkpoint has ${entries(size)}, one verified earlier had ${previous.size}.`,
    };
  }
  if (previous.size === size) {
    const same = sameHash(previous.rootHash, rootHash);
    return {
      ok: same,
      detail: same
        ? `Same size (${size}) and root as the checkpoint verified earlier.`
        : `Fork: the log signed two roots for size ${size}, ${short(previous.rootHash)} earlier and ${short(rootHash)} now.`,
    };
  }
  let proof: Hash[];
  try {
    proof = await sources.consistencyProof(previous.size, size);
  } catch (error) {
    return { ok: false, detail: `The consistency proof could not be read: ${errorText(error)}.` };
  }
  const consistent = verifyConsistency(previous.size, size, previous.rootHash, rootHash, proof);
  return {
    ok: consistent,
    detail: consistent
      ? `The log of ${entries(size)} extends the one of ${previous.size} verified earlier.`
      : `The consistency proof does not show the log of ${entries(size)} extending the one of ${previous.size} (root ${short(previous.rootHash)}) verified earlier.`,
  };
}

async function checkOnChain(checkpoint: Checkpoint, sources: CheckpointSources): Promise<Outcome> {
  const { size, rootHash } = checkpoint;
  let anchored: Hash | null;
  try {
    anchored = await sources.anchoredRoot(size);
  } catch (error) {
    return { ok: false, detail: `The contract could not be read: ${errorText(error)}.` };
  }
  if (!anchored) return { ok: false, detail: `The contract has no checkpoint of size ${size}.` };
  const same = sameHash(anchored, rootHash);
  return {
    ok: same,
    detail: same
      ? `The contract holds root ${short(rootHash)} for size ${size}.`
      : `The contract holds root ${short(anchored)} for size ${size}, not ${short(rootHash)}.`,
  };
}
