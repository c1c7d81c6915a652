/**
 * Checks a round's proof in the browser (the verify page): the revealed seed against its
 * commitment, the commitment leaf in the public log before the round, the outcome and payout
 * replayed with the code the engine and `npm run rounds:verify` run (lib/games/replay-round.ts),
 * and the round's record against its own leaf. Browser-safe: nothing here trusts the server's
 * word for a hash, only the bytes and paths it hands over.
 */
import { bytesToHex } from "@noble/hashes/utils";
import { type ReplayCheck, replayRound } from "@/lib/games/replay-round";
import { hashServerSeed } from "@/lib/games/rng";
import { type RoundRecord, roundDigest } from "@/lib/games/round-record";
import { decodeLeaf, type LeafEntry } from "@/lib/ledger/leaf";
import { fromHex, leafHash, verifyInclusion } from "@/lib/ledger/merkle";
import { parseCoins } from "@/lib/wallet/model";

/** A leaf of the public log as the server hands it over: its place (null until sequenced) and bytes. */
export type ProofLeaf = { index: number | null; data: string };

/** What the verify page is given: all public once the seed is revealed. */
export type RoundProof = {
  record: RoundRecord;
  playedAt: string;
  /** Null while the seed is in play: the player must rotate it first. */
  serverSeed: string | null;
  roundLeaf: ProofLeaf;
  /** The seed commitment leaf of the seed the round was played with. */
  commitmentLeaf: ProofLeaf;
  /** The newest anchored checkpoint, if any. */
  checkpoint: {
    treeSize: number;
    rootHash: string;
    txHash: string | null;
    blockNumber: number | null;
  } | null;
  /** Audit paths from each leaf to the checkpoint's root, when the checkpoint covers it. */
  roundInclusion: string[] | null;
  commitmentInclusion: string[] | null;
};

export type StepState = "passed" | "failed" | "not_run";
export type StepId = "seed" | "commitment" | "outcome" | "payout" | "record";
export type VerifyStep = { id: StepId; label: string; state: StepState; detail: string };
export type RoundVerdict = { state: "passed" | "failed" | "incomplete"; steps: VerifyStep[] };

export const stepLabels: Record<StepId, string> = {
  seed: "The revealed seed hashes to its commitment",
  commitment: "The commitment is in the public log, before the round",
  outcome: "The outcome, recomputed from the seeds and the nonce",
  payout: "The payout, recomputed",
  record: "The round's record is the one its ledger leaf commits to",
};

const SEED_IN_PLAY = "The server seed is still in play: rotate it to reveal it, then verify";

function step(id: StepId, state: StepState, detail: string): VerifyStep {
  return { id, label: stepLabels[id], state, detail };
}

function decodeAs<K extends LeafEntry["kind"]>(
  leaf: ProofLeaf,
  kind: K,
): Extract<LeafEntry, { kind: K }> | string {
  try {
    const entry = decodeLeaf(fromHex(leaf.data));
    return entry.kind === kind
      ? (entry as Extract<LeafEntry, { kind: K }>)
      : `the leaf is a ${entry.kind} entry, not a ${kind} entry`;
  } catch (error) {
    return `the leaf does not decode: ${(error as Error).message}`;
  }
}

/** Whether a sequenced leaf's audit path leads to the checkpoint's root; a reason otherwise. */
function inclusion(
  proof: RoundProof,
  leaf: ProofLeaf,
  path: string[] | null,
): { state: StepState; detail: string } {
  if (leaf.index === null) {
    return { state: "not_run", detail: "not sequenced into the log yet: try again in a minute" };
  }
  const cp = proof.checkpoint;
  if (!cp || leaf.index >= cp.treeSize || !path) {
    return {
      state: "not_run",
      detail: `leaf ${leaf.index} is sequenced; no anchored checkpoint covers it yet: try again in a minute`,
    };
  }
  let ok = false;
  try {
    ok = verifyInclusion(
      leafHash(fromHex(leaf.data)),
      leaf.index,
      cp.treeSize,
      path.map(fromHex),
      fromHex(cp.rootHash),
    );
  } catch {
    ok = false;
  }
  return {
    state: ok ? "passed" : "failed",
    detail: ok
      ? `leaf ${leaf.index} is included in the checkpoint of ${cp.treeSize} leaves (root ${cp.rootHash})${cp.txHash ? `, anchored in transaction ${cp.txHash}` : ""}`
      : `the audit path of leaf ${leaf.index} does not lead to the root of the checkpoint of ${cp.treeSize} leaves`,
  };
}

function fromReplay(id: StepId, check: ReplayCheck | undefined): VerifyStep {
  if (!check) return step(id, "failed", "the replay stopped before this check");
  return step(id, check.ok ? "passed" : "failed", check.detail);
}

function checkCommitment(proof: RoundProof): VerifyStep {
  const entry = decodeAs(proof.commitmentLeaf, "seed_commitment");
  if (typeof entry === "string") return step("commitment", "failed", entry);
  const committed = bytesToHex(entry.serverSeedHash);
  const problems: string[] = [];
  if (committed !== proof.record.serverSeedHash) {
    problems.push(`it commits to ${committed}, the round names ${proof.record.serverSeedHash}`);
  }
  if (entry.firstNonce > proof.record.nonce) {
    problems.push(
      `its first nonce ${entry.firstNonce} comes after the round's ${proof.record.nonce}`,
    );
  }
  const { index: at } = proof.commitmentLeaf;
  const { index: roundAt } = proof.roundLeaf;
  if (at !== null && roundAt !== null && at >= roundAt) {
    problems.push(`it is leaf ${at}, not before the round's leaf ${roundAt}`);
  }
  if (problems.length > 0) return step("commitment", "failed", problems.join("; "));
  const included = inclusion(proof, proof.commitmentLeaf, proof.commitmentInclusion);
  return step(
    "commitment",
    included.state,
    `the leaf commits to ${committed} from nonce ${entry.firstNonce}${roundAt !== null && at !== null ? `, as leaf ${at}, before the round's leaf ${roundAt}` : ""}; ${included.detail}`,
  );
}

function checkRecord(proof: RoundProof): VerifyStep {
  const entry = decodeAs(proof.roundLeaf, "round");
  if (typeof entry === "string") return step("record", "failed", entry);
  const digest = bytesToHex(roundDigest(proof.record));
  const leafDigest = bytesToHex(entry.roundDigest);
  if (digest !== leafDigest) {
    return step(
      "record",
      "failed",
      `the record hashes to ${digest}; the ledger leaf carries ${leafDigest}`,
    );
  }
  if (entry.payoutMinor !== parseCoins(proof.record.payout)) {
    return step(
      "record",
      "failed",
      `the leaf's payout ${entry.payoutMinor} (hundredths) is not the record's ${proof.record.payout}`,
    );
  }
  const included = inclusion(proof, proof.roundLeaf, proof.roundInclusion);
  return step(
    "record",
    included.state,
    `the record hashes to ${digest}, the digest its leaf carries; ${included.detail}`,
  );
}

/** Runs every check it can: those that need the seed are "not run" until it is revealed. */
export function verifyRoundProof(proof: RoundProof): RoundVerdict {
  const seed = proof.serverSeed;
  let replayed: VerifyStep[];
  if (seed === null) {
    replayed = (["seed", "outcome", "payout"] as const).map((id) =>
      step(id, "not_run", SEED_IN_PLAY),
    );
  } else {
    const checks = new Map(replayRound(proof.record, seed).checks.map((c) => [c.id, c]));
    replayed = [
      checkSeed(proof, seed, checks.get("seed")),
      fromReplay("outcome", checks.get("outcome")),
      fromReplay("payout", checks.get("payout")),
    ];
  }
  const [seedStep, outcome, payout] = replayed as [VerifyStep, VerifyStep, VerifyStep];
  const steps = [seedStep, checkCommitment(proof), outcome, payout, checkRecord(proof)];
  const state = steps.some((s) => s.state === "failed")
    ? "failed"
    : steps.every((s) => s.state === "passed")
      ? "passed"
      : "incomplete";
  return { state, steps };
}

/** The seed must hash to the round's commitment and to the one its ledger leaf holds. */
function checkSeed(proof: RoundProof, seed: string, replayed: ReplayCheck | undefined): VerifyStep {
  const entry = decodeAs(proof.commitmentLeaf, "seed_commitment");
  if (typeof entry === "string") return step("seed", "failed", entry);
  const hash = hashServerSeed(seed);
  const committed = bytesToHex(entry.serverSeedHash);
  if (hash !== committed) {
    return step(
      "seed",
      "failed",
      `SHA-256 of the seed is ${hash}; the commitment leaf holds ${committed}`,
    );
  }
  return fromReplay("seed", replayed);
}
