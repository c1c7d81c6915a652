import "server-only";
import type { DbOrTx } from "@/db/client";
import { anchoredInclusion } from "@/lib/anchoring/proofs";
import { getAnyRound, getRound } from "@/lib/rounds/round-views";
import type { RoundProof } from "./verify-round";

/**
 * What the verify page checks a round against. Anyone may see a round whose seed is revealed
 * (its link is the round's unguessable id); before that only its player. The player's id and
 * balance are never part of it. Undefined when there is no such round for this viewer.
 */
export async function getRoundProof(
  db: DbOrTx,
  roundId: string,
  viewerId: string | null,
): Promise<RoundProof | undefined> {
  const own = viewerId === null ? undefined : await getRound(db, viewerId, roundId);
  const round = own ?? (await getAnyRound(db, roundId));
  if (!round || (!own && round.serverSeed === null)) return undefined;
  const [roundAnchor, seedAnchor] = await Promise.all([
    anchoredInclusion(db, round.leaf.index),
    anchoredInclusion(db, round.seedLeaf.index),
  ]);
  return {
    record: round.record,
    playedAt: round.playedAt,
    serverSeed: round.serverSeed,
    roundLeaf: round.leaf,
    seedLeaf: round.seedLeaf,
    roundAnchor,
    seedAnchor,
  };
}
