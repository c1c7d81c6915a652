/**
 * Replays a round from its revealed server seed: the seed matches its commitment, the game gives
 * the same outcome and payout, and the record hashes to the digest its ledger leaf carries.
 * Browser-safe, for npm run rounds:verify and the verify page alike.
 */
import { bytesToHex } from "@noble/hashes/utils";
import { formatCoins, parseCoins } from "@/lib/wallet/model";
import { games } from "./games";
import { gameIds } from "./model";
import { hashServerSeed, roundIntegers } from "./rng";
import { canonicalJson, type RoundRecord, roundDigest } from "./round-record";

export type ReplayCheck = {
  id: "seed" | "outcome" | "payout" | "digest" | "leaf" | "commitment";
  ok: boolean;
  detail: string;
};
export type ReplayResult = { ok: boolean; checks: ReplayCheck[] };

/**
 * `leafDigest` (hex) is the roundDigest of the round's ledger leaf, when the caller has it: the
 * record must hash to it.
 */
export function replayRound(
  record: RoundRecord,
  serverSeed: string,
  leafDigest?: string,
): ReplayResult {
  const checks: ReplayCheck[] = [];
  const hash = hashServerSeed(serverSeed);
  checks.push({
    id: "seed",
    ok: hash === record.serverSeedHash,
    detail: `SHA-256 of the server seed is ${hash}; the round was played under ${record.serverSeedHash}`,
  });
  const stake = parseCoins(record.stake);
  if (!gameIds.includes(record.game) || stake === null || stake === 0) {
    checks.push({
      id: "outcome",
      ok: false,
      detail: `not a playable round: ${record.game} at ${record.stake}`,
    });
    return { ok: false, checks };
  }
  const game = games[record.game];
  const params = game.params.safeParse(record.params);
  if (!params.success) {
    checks.push({
      id: "outcome",
      ok: false,
      detail: `the round's params are not valid for ${record.game}`,
    });
    return { ok: false, checks };
  }
  const played = game.play(
    roundIntegers(serverSeed, record.clientSeed, record.nonce, game.floats),
    stake,
    params.data,
  );
  const sameOutcome = canonicalJson(played.outcome) === canonicalJson(record.outcome);
  checks.push({
    id: "outcome",
    ok: sameOutcome,
    detail: `replayed ${canonicalJson(played.outcome)}; recorded ${canonicalJson(record.outcome)}`,
  });
  // A prize tier that awarded a prize pays the prize instead of its coin value.
  const expected = played.prizeTier && record.prizeId !== null ? 0 : played.payout;
  checks.push({
    id: "payout",
    ok: formatCoins(expected) === record.payout,
    detail: `replayed payout ${formatCoins(expected)}${record.prizeId ? ` and prize ${record.prizeId}` : ""}; recorded ${record.payout}`,
  });
  if (leafDigest !== undefined) {
    const digest = bytesToHex(roundDigest(record));
    checks.push({
      id: "digest",
      ok: digest === leafDigest.replace(/^0x/, "").toLowerCase(),
      detail: `the record hashes to ${digest}; the ledger leaf carries ${leafDigest}`,
    });
  }
  return { ok: checks.every((c) => c.ok), checks };
}
