/**
 * Checks a round's proof in the browser (the verify page), as steps a player can read: the checks
 * of verifyRound (lib/games/verify-round.ts, what `npm run rounds:verify` runs) grouped under the
 * issue's four questions, plus each leaf's audit path to the anchored checkpoint that covers it.
 * Browser-safe: nothing here trusts the server's word for a hash, only bytes and paths.
 */
import type { ReplayCheck } from "@/lib/games/replay-round";
import type { RoundRecord } from "@/lib/games/round-record";
import { type PublicLeaf, verifyRound } from "@/lib/games/verify-round";
import { fromHex, leafHash, verifyInclusion } from "@/lib/ledger/merkle";

/** The first anchored checkpoint covering a leaf, and the leaf's audit path to its root. */
export type LeafAnchor = {
  treeSize: number;
  rootHash: string;
  inclusionProof: string[];
  txHash: string | null;
  blockNumber: number | null;
};

/** What the verify page is given: all public once the seed is revealed. */
export type RoundProof = {
  record: RoundRecord;
  playedAt: string;
  /** Null while the seed is in play: the player must rotate it first. */
  serverSeed: string | null;
  roundLeaf: PublicLeaf;
  /** The commitment leaf of the seed the round was played with. */
  seedLeaf: PublicLeaf;
  /** Null until an anchored checkpoint covers the leaf. */
  roundAnchor: LeafAnchor | null;
  seedAnchor: LeafAnchor | null;
};

export type StepState = "passed" | "failed" | "not_run";
export type StepId = "seed" | "commitment" | "outcome" | "payout" | "record";
export type VerifyStep = { id: StepId; label: string; state: StepState; detail: string };
export type RoundVerdict = { state: "passed" | "failed" | "incomplete"; steps: VerifyStep[] };

export const stepLabels: Record<StepId, string> = {
  seed: "The revealed seed hashes to the round's commitment",
  commitment: "The commitment is in the public log, before the round",
  outcome: "The outcome, recomputed from the seeds and the nonce",
  payout: "The payout, recomputed",
  record: "The round's record is the one its ledger leaf commits to",
};

const SEED_IN_PLAY = "The server seed is still in play: rotate it to reveal it, then verify";

/** Whether a leaf's audit path leads to its anchored checkpoint's root. */
function inclusion(leaf: PublicLeaf, anchor: LeafAnchor | null): ReplayCheck & { run: boolean } {
  if (leaf.index === null) {
    return {
      id: "leaf",
      ok: false,
      run: false,
      detail: "not sequenced into the log yet: try again in a minute",
    };
  }
  if (!anchor) {
    return {
      id: "leaf",
      ok: false,
      run: false,
      detail: `leaf ${leaf.index} is sequenced; no anchored checkpoint covers it yet: try again in a minute`,
    };
  }
  let ok: boolean;
  try {
    ok = verifyInclusion(
      leafHash(fromHex(leaf.data)),
      leaf.index,
      anchor.treeSize,
      anchor.inclusionProof.map(fromHex),
      fromHex(anchor.rootHash),
    );
  } catch {
    ok = false;
  }
  return {
    id: "leaf",
    ok,
    run: true,
    detail: ok
      ? `leaf ${leaf.index} is included in the checkpoint of ${anchor.treeSize} leaves (root ${anchor.rootHash})${anchor.txHash ? `, anchored in transaction ${anchor.txHash}` : ""}`
      : `the audit path of leaf ${leaf.index} does not lead to the root of the checkpoint of ${anchor.treeSize} leaves`,
  };
}

/**
 * One step from checks that must all hold, then the leaf's inclusion: failed if any check
 * failed, else as the inclusion came out (not run while no anchored checkpoint covers the leaf).
 */
function combined(
  id: StepId,
  checks: (ReplayCheck | undefined)[],
  included?: ReplayCheck & { run: boolean },
): VerifyStep {
  const all = [...checks, included];
  const detail = all.flatMap((c) => (c ? [c.detail] : [])).join("; ");
  const failed = checks.some((c) => !c?.ok) || (included?.run === true && !included.ok);
  const state: StepState = failed
    ? "failed"
    : included !== undefined && !included.run
      ? "not_run"
      : "passed";
  return {
    id,
    label: stepLabels[id],
    state,
    detail: detail || "the check did not run",
  };
}

/** Runs every check it can: those that need the seed are "not run" until it is revealed. */
export function verifyRoundProof(proof: RoundProof): RoundVerdict {
  const revealed = proof.serverSeed !== null;
  // Before the reveal only the checks that do not read the seed are kept (leaf, digest, commitment).
  const checks = new Map(
    verifyRound({
      record: proof.record,
      serverSeed: proof.serverSeed ?? "",
      roundLeaf: proof.roundLeaf,
      seedLeaf: proof.seedLeaf,
    }).checks.map((c) => [c.id, c]),
  );
  const needsSeed = (id: "seed" | "outcome" | "payout"): VerifyStep =>
    revealed
      ? combined(id, [checks.get(id)])
      : { id, label: stepLabels[id], state: "not_run", detail: SEED_IN_PLAY };
  const steps = [
    needsSeed("seed"),
    combined("commitment", [checks.get("commitment")], inclusion(proof.seedLeaf, proof.seedAnchor)),
    needsSeed("outcome"),
    needsSeed("payout"),
    combined(
      "record",
      [checks.get("leaf"), checks.get("digest")],
      inclusion(proof.roundLeaf, proof.roundAnchor),
    ),
  ];
  const state = steps.some((s) => s.state === "failed")
    ? "failed"
    : steps.every((s) => s.state === "passed")
      ? "passed"
      : "incomplete";
  return { state, steps };
}
