import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { AnchoringStatus, CheckpointSummary } from "./types";

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

/** The largest anchored checkpoint: every entry below its tree size is anchored. */
export async function lastAnchoredCheckpoint(db: DbOrTx): Promise<CheckpointSummary | null> {
  const [row] = await db.execute<{
    tree_size: number;
    tx_hash: string | null;
    block_number: number | null;
    anchored_at: string | Date | null;
  }>(sql`
    select tree_size, tx_hash, block_number, anchored_at from checkpoints
    where status = 'anchored' order by tree_size desc limit 1`);
  if (!row) return null;
  return {
    treeSize: Number(row.tree_size),
    txHash: row.tx_hash,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    anchoredAt: iso(row.anchored_at),
  };
}

/**
 * Entries not yet anchored: unsequenced ones and those at or past the anchored tree size. Two
 * index ranges (the unsequenced partial index, the leaf index), never a scan of the whole log.
 */
export async function anchoringStatus(db: DbOrTx): Promise<AnchoringStatus> {
  const lastCheckpoint = await lastAnchoredCheckpoint(db);
  const size = lastCheckpoint?.treeSize ?? 0;
  const [row] = await db.execute<{ pending: number; lag: number | null }>(sql`
    select sum(n)::int as pending, extract(epoch from now() - min(oldest))::float8 as lag
    from (
      select count(*) as n, min(created_at) as oldest from ledger_entries where leaf_index is null
      union all
      select count(*), min(created_at) from ledger_entries where leaf_index >= ${size}
    ) t`);
  return {
    lagSeconds: Math.max(0, Number(row?.lag ?? 0)),
    pendingEntries: Number(row?.pending ?? 0),
    lastCheckpoint,
  };
}
