/**
 * Checks a round end to end from what its player and the public log hold: the replay (seed,
 * outcome, payout), the round's ledger leaf (its id, payout and the record's digest), and the
 * seed's commitment leaf (the same seed hash, a first nonce at or before the round's, sequenced
 * before the round). Browser-safe: npm run rounds:verify and the verify page share it.
 */
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import { decodeLeaf } from "@/lib/ledger/leaf";
import { formatCoins } from "@/lib/wallet/model";
import { type ReplayCheck, type ReplayResult, replayRound } from "./replay-round";
import type { RoundRecord } from "./round-record";

export type PublicLeaf = { index: number | null; data: string };

export type RoundEvidence = {
  record: RoundRecord;
  serverSeed: string;
  roundLeaf: PublicLeaf;
  /** The commitment leaf of the round's seed (GET /api/v1/fairness/seeds/{serverSeedHash}). */
  seedLeaf?: PublicLeaf;
};

function leafBytes(leaf: PublicLeaf): Uint8Array {
  return hexToBytes(leaf.data.replace(/^0x/, ""));
}

export function verifyRound(evidence: RoundEvidence): ReplayResult {
  const { record } = evidence;
  const checks: ReplayCheck[] = [];
  let digest: string | undefined;
  try {
    const leaf = decodeLeaf(leafBytes(evidence.roundLeaf));
    const ok =
      leaf.kind === "round" &&
      leaf.entryId === record.id &&
      formatCoins(leaf.payoutMinor) === record.payout;
    if (leaf.kind === "round") digest = bytesToHex(leaf.roundDigest);
    checks.push({
      id: "leaf",
      ok,
      detail:
        leaf.kind === "round"
          ? `round leaf ${evidence.roundLeaf.index ?? "(not sequenced yet)"}: entry ${leaf.entryId}, payout ${formatCoins(leaf.payoutMinor)}`
          : `the leaf is a ${leaf.kind}, not a round`,
    });
  } catch (error) {
    checks.push({ id: "leaf", ok: false, detail: `the round leaf: ${(error as Error).message}` });
  }
  const replay = replayRound(record, evidence.serverSeed, digest ?? "");
  checks.push(...replay.checks);
  if (evidence.seedLeaf)
    checks.push(commitmentCheck(evidence.seedLeaf, evidence.roundLeaf, record));
  return { ok: checks.every((c) => c.ok), checks };
}

function commitmentCheck(
  seedLeaf: PublicLeaf,
  roundLeaf: PublicLeaf,
  record: RoundRecord,
): ReplayCheck {
  try {
    const leaf = decodeLeaf(leafBytes(seedLeaf));
    if (leaf.kind !== "seed_commitment") {
      return { id: "commitment", ok: false, detail: `the seed leaf is a ${leaf.kind}` };
    }
    const hash = bytesToHex(leaf.serverSeedHash);
    const before =
      seedLeaf.index !== null && roundLeaf.index !== null ? seedLeaf.index < roundLeaf.index : true;
    return {
      id: "commitment",
      ok: hash === record.serverSeedHash && leaf.firstNonce <= record.nonce && before,
      detail: `seed commitment leaf ${seedLeaf.index ?? "(not sequenced yet)"} commits ${hash} from nonce ${leaf.firstNonce}${before ? ", before the round" : ", AFTER the round"}`,
    };
  } catch (error) {
    return { id: "commitment", ok: false, detail: `the seed leaf: ${(error as Error).message}` };
  }
}
