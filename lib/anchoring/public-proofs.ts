import "server-only";
import { and, asc, eq, lt } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { ledgerNodes } from "@/db/schema";
import { enforceRateLimits, rateRules } from "@/lib/abuse/rate-limit";
import { AppError } from "@/lib/errors/app-error";
import { addressBucket } from "@/lib/http/client-info";
import { EMPTY_ROOT, fromHex, type Hash, toHex } from "@/lib/ledger/merkle";
import { consistencyProof, inclusionProof, storedRoot } from "./proofs";
import { publishedCheckpoint } from "./tiles";

/** Counts a proof request against its address's limit; over it, `rate_limited` (429). */
export async function limitProofRequests(db: DbOrTx, ip: string | null | undefined): Promise<void> {
  await enforceRateLimits(
    db,
    [{ rule: rateRules.proofPerIp, subject: addressBucket(ip) }],
    "Too many proof requests from your network: wait a moment, or read the log's tiles (/tile/…)",
  );
}

/**
 * Proofs for clients that read no tiles, over the same published tree: sizes beyond it are
 * refused, so an answer never names a tree the log has not committed to on chain.
 */
async function publishedSize(db: DbOrTx): Promise<number> {
  const published = await publishedCheckpoint(db);
  if (!published) throw new AppError("not_found", "The log has published no checkpoint yet");
  return published.treeSize;
}

/** `requested` (the published size when left out), refused when beyond the published size. */
async function sizeWithin(db: DbOrTx, field: string, requested: number | undefined) {
  const published = await publishedSize(db);
  if (requested !== undefined && requested > published) {
    throw new AppError(
      "invalid_input",
      `${field}: the published log has ${published} leaves; ask for at most that`,
      { field },
    );
  }
  return requested ?? published;
}

const rootAt = (db: DbOrTx, size: number): Promise<Hash> =>
  size === 0 ? Promise.resolve(EMPTY_ROOT) : storedRoot(db, size);

export async function publicConsistency(db: DbOrTx, from: number, to: number | undefined) {
  const newSize = await sizeWithin(db, "to", to);
  if (from > newSize) {
    throw new AppError("invalid_input", `from: must be at most to (${newSize})`, {
      field: "from",
    });
  }
  const [fromRoot, toRoot, proof] = await Promise.all([
    rootAt(db, from),
    rootAt(db, newSize),
    from === newSize ? Promise.resolve([]) : consistencyProof(db, from, newSize),
  ]);
  return {
    from,
    to: newSize,
    fromRoot: toHex(fromRoot),
    toRoot: toHex(toRoot),
    proof: proof.map(toHex),
  };
}

export type LeafQuery = { hash?: string; index?: number; size?: number };

export async function publicInclusion(db: DbOrTx, query: LeafQuery) {
  if ((query.hash === undefined) === (query.index === undefined)) {
    throw new AppError("invalid_input", "Give either hash or index, not both and not neither", {
      field: query.hash === undefined ? "hash" : "index",
    });
  }
  const size = await sizeWithin(db, "size", query.size);
  const index = query.index ?? (await leafIndexOf(db, fromHex(query.hash ?? ""), size));
  if (index >= size) {
    throw new AppError("invalid_input", `index: must be below size (${size})`, { field: "index" });
  }
  const [leafHash, rootHash, proof] = await Promise.all([
    leafHashAt(db, index),
    rootAt(db, size),
    inclusionProof(db, index, size),
  ]);
  return {
    index,
    size,
    leafHash: toHex(leafHash),
    rootHash: toHex(rootHash),
    proof: proof.map(toHex),
  };
}

/** The first leaf with this hash among the tree's first `size` leaves (by the leaf-hash index). */
async function leafIndexOf(db: DbOrTx, hash: Uint8Array, size: number): Promise<number> {
  const [row] = await db
    .select({ index: ledgerNodes.index })
    .from(ledgerNodes)
    .where(and(eq(ledgerNodes.level, 0), eq(ledgerNodes.hash, hash), lt(ledgerNodes.index, size)))
    .orderBy(asc(ledgerNodes.index))
    .limit(1);
  if (!row) throw new AppError("not_found", `No leaf among the first ${size} has this hash`);
  return row.index;
}

async function leafHashAt(db: DbOrTx, index: number): Promise<Hash> {
  const [row] = await db
    .select({ hash: ledgerNodes.hash })
    .from(ledgerNodes)
    .where(and(eq(ledgerNodes.level, 0), eq(ledgerNodes.index, index)))
    .limit(1);
  if (!row) throw new Error(`ledger node 0:${index} is missing`);
  return row.hash;
}
