import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { inclusionProof } from "@/lib/anchoring/proofs";
import { toHex } from "@/lib/ledger/merkle";
import { getRound } from "@/lib/rounds/round-views";
import type { RoundProof } from "./verify-round";

/** The newest anchored checkpoint: the one every sequenced leaf below its size is proven in. */
export async function latestAnchoredCheckpoint(db: DbOrTx): Promise<RoundProof["checkpoint"]> {
  const [row] = await db.execute<{
    tree_size: string;
    root_hash: Buffer;
    tx_hash: string | null;
    block_number: string | null;
  }>(sql`
    select tree_size, root_hash, tx_hash, block_number from checkpoints
    where status = 'anchored' order by tree_size desc limit 1`);
  if (!row) return null;
  return {
    treeSize: Number(row.tree_size),
    rootHash: toHex(new Uint8Array(row.root_hash)),
    txHash: row.tx_hash,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
  };
}

/**
 * What the verify page checks a round against. Anyone may see a round whose seed is revealed
 * (its link is the round's unguessable id); before that only its player. The player's balance
 * and identity are never part of it. Undefined when there is no such round for this viewer.
 */
export async function getRoundProof(
  db: DbOrTx,
  roundId: string,
  viewerId: string | null,
): Promise<RoundProof | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(roundId)) {
    return undefined;
  }
  const [owner] = await db.execute<{ user_id: string; seed_id: string; revealed: boolean }>(sql`
    select r.user_id, r.seed_id, f.status = 'revealed' as revealed
    from game_rounds r join fair_seeds f on f.id = r.seed_id where r.id = ${roundId}`);
  if (!owner || (owner.user_id !== viewerId && !owner.revealed)) return undefined;
  const [round, commitment, checkpoint] = await Promise.all([
    getRound(db, owner.user_id, roundId),
    db.execute<{ leaf_index: string | null; leaf_data: Buffer }>(sql`
      select leaf_index, leaf_data from ledger_entries where fair_seed_id = ${owner.seed_id}`),
    latestAnchoredCheckpoint(db),
  ]);
  const [commitmentRow] = commitment;
  if (!round || !commitmentRow) return undefined;
  const commitmentLeaf = {
    index: commitmentRow.leaf_index === null ? null : Number(commitmentRow.leaf_index),
    data: toHex(new Uint8Array(commitmentRow.leaf_data)),
  };
  const pathOf = async (index: number | null) =>
    checkpoint && index !== null && index < checkpoint.treeSize
      ? (await inclusionProof(db, index, checkpoint.treeSize)).map(toHex)
      : null;
  const [roundInclusion, commitmentInclusion] = await Promise.all([
    pathOf(round.leaf.index),
    pathOf(commitmentLeaf.index),
  ]);
  return {
    record: round.record,
    playedAt: round.playedAt,
    serverSeed: round.serverSeed,
    roundLeaf: round.leaf,
    commitmentLeaf,
    checkpoint,
    roundInclusion,
    commitmentInclusion,
  };
}
