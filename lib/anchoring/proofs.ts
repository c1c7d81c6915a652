import "server-only";
import type { DbOrTx } from "@/db/client";
import {
  consistencyRanges,
  type Hash,
  inclusionRanges,
  rangeHash,
  rangeNodes,
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
