import "server-only";
import { and, asc, eq, gt } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { checkpoints } from "@/db/schema";
import {
  consistencyRanges,
  type Hash,
  inclusionRanges,
  rangeHash,
  rangeNodes,
  toHex,
} from "@/lib/ledger/merkle";
import { loadNodes } from "./node-store";

/** Hashes of the given ranges of the stored log, loading every node they need in one query. */
export async function rangeHashes(db: DbOrTx, ranges: Array<[number, number]>): Promise<Hash[]> {
  const get = await loadNodes(
    db,
    ranges.flatMap(([start, end]) => rangeNodes(start, end)),
  );
  return ranges.map(([start, end]) => rangeHash(start, end, get));
}

export async function storedRoot(db: DbOrTx, size: number): Promise<Hash> {
  const [root] = await rangeHashes(db, [[0, size]]);
  if (!root) throw new Error("no root");
  return root;
}

export function inclusionProof(db: DbOrTx, index: number, size: number): Promise<Hash[]> {
  return rangeHashes(db, inclusionRanges(index, size));
}

export function consistencyProof(db: DbOrTx, oldSize: number, newSize: number): Promise<Hash[]> {
  return oldSize === 0 ? Promise.resolve([]) : rangeHashes(db, consistencyRanges(oldSize, newSize));
}

/** The first anchored checkpoint that covers a leaf (undefined while none does). */
export async function anchoredCheckpointFor(db: DbOrTx, leafIndex: number | null) {
  if (leafIndex === null) return undefined;
  const [cp] = await db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.status, "anchored"), gt(checkpoints.treeSize, leafIndex)))
    .orderBy(asc(checkpoints.treeSize))
    .limit(1);
  return cp;
}

/** A public leaf's inclusion in the first anchored checkpoint covering it, or null while none. */
export async function anchoredInclusion(db: DbOrTx, leafIndex: number | null) {
  const cp = await anchoredCheckpointFor(db, leafIndex);
  if (leafIndex === null || !cp) return null;
  return {
    treeSize: cp.treeSize,
    rootHash: toHex(cp.rootHash),
    inclusionProof: (await inclusionProof(db, leafIndex, cp.treeSize)).map(toHex),
    chainId: cp.chainId,
    contract: cp.contract,
    txHash: cp.txHash,
    blockNumber: cp.blockNumber,
  };
}
