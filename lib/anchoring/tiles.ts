import "server-only";
import { and, asc, desc, eq, gte, lt } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { checkpoints, ledgerEntries, ledgerNodes } from "@/db/schema";
import {
  encodeEntryBundle,
  TILE_HEIGHT,
  TILE_WIDTH,
  type Tile,
  tileWithin,
} from "@/lib/tlog/tiles";

/**
 * The newest checkpoint the log has published: what tiles and proofs are served up to. Today that
 * is the newest anchored one; once checkpoints are signed it is the newest signed one (the same
 * pair: only anchored checkpoints are signed), and only this function changes.
 */
export async function publishedCheckpoint(
  db: DbOrTx,
): Promise<{ treeSize: number; rootHash: Uint8Array } | undefined> {
  const [cp] = await db
    .select({ treeSize: checkpoints.treeSize, rootHash: checkpoints.rootHash })
    .from(checkpoints)
    .where(eq(checkpoints.status, "anchored"))
    .orderBy(desc(checkpoints.treeSize))
    .limit(1);
  return cp;
}

/**
 * The highest hash-tile level a log can have: a tree size is a safe integer (< 2^53), and a
 * level-7 tile starts at 2^56 leaves. Higher levels are valid paths that never hold anything.
 */
export const MAX_SERVED_LEVEL = 6;

/**
 * A tile's bytes, or null unless all of it lies within the published tree: a full tile once it is
 * complete, a partial one once its W hashes (or entries) exist. Every prefix of a tile is
 * immutable, so any partial width within the published size may be served and cached forever.
 */
export async function readTile(db: DbOrTx, tile: Tile): Promise<Uint8Array<ArrayBuffer> | null> {
  if (tile.level !== "entries" && tile.level > MAX_SERVED_LEVEL) return null;
  const published = await publishedCheckpoint(db);
  if (!published || !tileWithin(tile, published.treeSize)) return null;
  return tile.level === "entries" ? readEntryBundle(db, tile) : readHashTile(db, tile);
}

/** A hash tile: the stored nodes at tree level 8·L, in one primary-key range scan. */
async function readHashTile(db: DbOrTx, tile: Tile): Promise<Uint8Array<ArrayBuffer>> {
  const rows = await db
    .select({ hash: ledgerNodes.hash })
    .from(ledgerNodes)
    .where(
      and(eq(ledgerNodes.level, TILE_HEIGHT * Number(tile.level)), inTile(ledgerNodes.index, tile)),
    )
    .orderBy(asc(ledgerNodes.index));
  // The sequencer stores every complete subtree with its leaves, in one transaction.
  if (rows.length !== tile.width) throw new Error(`ledger nodes of ${tileName(tile)} are missing`);
  const out = new Uint8Array(tile.width * 32);
  for (const [i, row] of rows.entries()) out.set(row.hash, i * 32);
  return out;
}

/** An entry bundle: the leaves' canonical bytes, by their unique index. */
async function readEntryBundle(db: DbOrTx, tile: Tile): Promise<Uint8Array<ArrayBuffer>> {
  const rows = await db
    .select({ data: ledgerEntries.leafData })
    .from(ledgerEntries)
    .where(inTile(ledgerEntries.leafIndex, tile))
    .orderBy(asc(ledgerEntries.leafIndex));
  if (rows.length !== tile.width) {
    throw new Error(`ledger entries of ${tileName(tile)} are missing`);
  }
  return encodeEntryBundle(rows.map((r) => r.data));
}

/** The indexes a tile covers at its own level: N·256 … N·256+W−1 (never null). */
function inTile(column: AnyPgColumn, tile: Tile) {
  const start = tile.index * TILE_WIDTH;
  return and(gte(column, start), lt(column, start + tile.width));
}

const tileName = (tile: Tile) => `tile ${tile.level}/${tile.index} (width ${tile.width})`;
