import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { FairSeedStatus } from "@/lib/games/model";

/** A player's seed as the fairness page lists it, with where its commitment stands in the log. */
export type SeedEntry = {
  id: string;
  status: FairSeedStatus;
  serverSeedHash: string;
  /** Only once revealed. */
  serverSeed: string | null;
  /** Rounds played with it (its next nonce). */
  rounds: number;
  createdAt: string;
  revealedAt: string | null;
  /** The commitment leaf's index, null until sequenced. */
  leafIndex: number | null;
  /** The first anchored checkpoint that covers the commitment leaf, if one does yet. */
  anchoredBy: { treeSize: number; txHash: string | null } | null;
};

/** The most seeds the page lists: the newest first. */
export const SEEDS_LISTED = 50;

/** The player's seeds, newest first: the next one, the one in play, then the revealed ones. */
export async function listSeeds(db: DbOrTx, userId: string): Promise<SeedEntry[]> {
  const rows = await db.execute<{
    id: string;
    status: FairSeedStatus;
    server_seed_hash: string;
    server_seed: string | null;
    next_nonce: number;
    created_at: string;
    revealed_at: string | null;
    leaf_index: string | null;
    tree_size: string | null;
    tx_hash: string | null;
  }>(sql`
    select f.id, f.status, f.server_seed_hash,
           case when f.status = 'revealed' then f.server_seed end as server_seed, f.next_nonce,
           to_json(f.created_at) #>> '{}' as created_at,
           to_json(f.revealed_at) #>> '{}' as revealed_at,
           l.leaf_index, c.tree_size, c.tx_hash
    from fair_seeds f
    left join ledger_entries l on l.fair_seed_id = f.id
    left join lateral (
      select tree_size, tx_hash from checkpoints
      where status = 'anchored' and l.leaf_index is not null and tree_size > l.leaf_index
      order by tree_size limit 1) c on true
    where f.user_id = ${userId}
    order by case f.status when 'next' then 0 when 'active' then 1 else 2 end,
             f.revealed_at desc nulls last, f.created_at desc
    limit ${SEEDS_LISTED}`);
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    serverSeedHash: r.server_seed_hash,
    serverSeed: r.server_seed,
    rounds: r.next_nonce,
    createdAt: new Date(r.created_at).toISOString(),
    revealedAt: r.revealed_at === null ? null : new Date(r.revealed_at).toISOString(),
    leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
    anchoredBy: r.tree_size === null ? null : { treeSize: Number(r.tree_size), txHash: r.tx_hash },
  }));
}
