import "server-only";
import { and, asc, desc, eq, gte, inArray, lt } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type Checkpoint, checkpointCosignatures, checkpoints, ledgerEntries } from "@/db/schema";
import { toHex } from "@/lib/ledger/merkle";

export const MAX_LEAVES_PER_PAGE = 1000;
/** Leaves per page of the /ledger page. */
export const LEAVES_PER_PAGE = 100;

/** Where the public ledger shows a leaf: its own page, with its proof and anchoring. */
export function ledgerLeafHref(index: number): string {
  return `/ledger/${index}`;
}

/** The /ledger list page that holds a leaf, at its row. */
export function ledgerListHref(index: number): string {
  return `/ledger?page=${Math.floor(index / LEAVES_PER_PAGE) + 1}#leaf-${index}`;
}

export async function listAnchoredCheckpoints(db: DbOrTx) {
  const rows = await db
    .select()
    .from(checkpoints)
    .where(eq(checkpoints.status, "anchored"))
    .orderBy(desc(checkpoints.treeSize))
    .limit(500);
  if (rows.length === 0) return [];
  const cosignatures = await db
    .select({
      treeSize: checkpointCosignatures.treeSize,
      witnessKey: checkpointCosignatures.witnessKey,
      line: checkpointCosignatures.line,
      cosignedAt: checkpointCosignatures.cosignedAt,
    })
    .from(checkpointCosignatures)
    .where(
      inArray(
        checkpointCosignatures.treeSize,
        rows.map((cp) => cp.treeSize),
      ),
    )
    .orderBy(asc(checkpointCosignatures.witnessKey));
  return rows.map((cp) => ({
    ...publicCheckpoint(cp),
    cosignatures: cosignatures
      .filter((c) => c.treeSize === cp.treeSize)
      .map(({ witnessKey, line, cosignedAt }) => ({ witnessKey, line, cosignedAt })),
  }));
}

/** What the public log shows of a checkpoint. */
export function publicCheckpoint(cp: Checkpoint) {
  return {
    treeSize: cp.treeSize,
    rootHash: toHex(cp.rootHash),
    chainId: cp.chainId,
    contract: cp.contract,
    txHash: cp.txHash,
    blockNumber: cp.blockNumber,
    blockTime: cp.blockTime,
    note: cp.note,
  };
}

/** Public leaves [start, end): index and canonical bytes only (no salts, no account ids). */
export async function listLeaves(db: DbOrTx, start: number, end: number) {
  const stop = Math.min(end, start + MAX_LEAVES_PER_PAGE);
  const rows = await db
    .select({ index: ledgerEntries.leafIndex, data: ledgerEntries.leafData })
    .from(ledgerEntries)
    .where(and(gte(ledgerEntries.leafIndex, start), lt(ledgerEntries.leafIndex, stop)))
    .orderBy(asc(ledgerEntries.leafIndex));
  return {
    start,
    end: start + rows.length,
    leaves: rows.map((r) => ({ index: r.index as number, data: toHex(r.data) })),
  };
}
