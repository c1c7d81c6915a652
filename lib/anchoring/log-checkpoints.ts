import "server-only";
import { and, asc, desc, eq, isNotNull, isNull } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { checkpointCosignatures, checkpoints } from "@/db/schema";
import { env, logOrigin, logSigner } from "@/lib/config/env";
import { toHex } from "@/lib/ledger/merkle";
import { formatCheckpoint } from "@/lib/tlog/checkpoint";
import { formatNote, parseNote } from "@/lib/tlog/note";
import { type SignerKey, signNote } from "@/lib/tlog/sign";
import { storedRoot } from "./proofs";

/** The log's key and the origin it signs checkpoints for (C2SP tlog-checkpoint). */
export type LogSigner = { key: SignerKey; origin: string };

/** The worker's signer, or undefined where LOG_SIGNING_KEY is not set (nothing is signed). */
export function configuredLogSigner(config = env()): LogSigner | undefined {
  const key = logSigner(config);
  return key && { key, origin: logOrigin(config) };
}

/** The signed note of one checkpoint: its three lines, the blank line, the log's signature. */
export function checkpointNote(signer: LogSigner, treeSize: number, rootHash: Uint8Array): string {
  const text = formatCheckpoint({ origin: signer.origin, size: treeSize, rootHash });
  return formatNote(text, [signNote(text, signer.key)]);
}

/**
 * Signs the checkpoint of `treeSize`, in the caller's transaction, unless it is signed already.
 * A log must never sign two roots for one size (C2SP tlog-checkpoint): the root is checked against
 * the stored tree, and a note already there for other bytes stops everything, loudly. Neither can
 * happen in an append-only log; when one does, the database was tampered with or mixed up with
 * another log's (or LOG_ORIGIN changed, which makes a new log), and signing on would publish a fork.
 */
export async function signCheckpoint(
  tx: DbOrTx,
  signer: LogSigner,
  treeSize: number,
): Promise<string> {
  const [row] = await tx
    .select({ rootHash: checkpoints.rootHash, note: checkpoints.note })
    .from(checkpoints)
    .where(eq(checkpoints.treeSize, treeSize))
    .for("update");
  if (!row) throw new Error(`no checkpoint of size ${treeSize} to sign`);
  const stored = await storedRoot(tx, treeSize);
  if (toHex(stored) !== toHex(row.rootHash)) {
    throw new Error(
      `refusing to sign a fork: checkpoint ${treeSize} has root ${toHex(row.rootHash)} but the stored tree has ${toHex(stored)}`,
    );
  }
  const note = checkpointNote(signer, treeSize, row.rootHash);
  if (row.note !== null) {
    if (parseNote(row.note).text !== parseNote(note).text) {
      throw new Error(
        `refusing to sign a fork: checkpoint ${treeSize} was signed for other bytes (another root, or another LOG_ORIGIN)`,
      );
    }
    return row.note;
  }
  await tx.update(checkpoints).set({ note }).where(eq(checkpoints.treeSize, treeSize));
  return note;
}

/**
 * Signs the anchored checkpoints that have no note: anchored before the log had a key. All of
 * them, smallest first: one signature each is cheap, and a receipt issued for any of them can
 * then carry a signed checkpoint. Each in its own short transaction.
 */
export async function signUnsignedCheckpoints(db: Db, signer: LogSigner): Promise<number> {
  const unsigned = await db
    .select({ treeSize: checkpoints.treeSize })
    .from(checkpoints)
    .where(and(eq(checkpoints.status, "anchored"), isNull(checkpoints.note)))
    .orderBy(asc(checkpoints.treeSize));
  for (const { treeSize } of unsigned) {
    await db.transaction((tx) => signCheckpoint(tx, signer, treeSize));
  }
  return unsigned.length;
}

export type SignedCheckpoint = {
  treeSize: number;
  rootHash: Uint8Array;
  /** The note as the log signed it. */
  note: string;
  /** The witnesses' cosignature lines, sorted by witness key for stable bytes. */
  cosignatures: Array<{ witnessKey: string; line: string; cosignedAt: number }>;
};

/** The note with its cosignatures appended: what `GET /checkpoint` serves. */
export function cosignedNote(checkpoint: SignedCheckpoint): string {
  return checkpoint.note + checkpoint.cosignatures.map((c) => c.line).join("");
}

/**
 * The newest signed checkpoint that is anchored now, with its cosignatures: the same published
 * size tiles and proofs serve (tiles.ts publishedCheckpoint). A signed one whose block the chain
 * lost (reopenLost) waits until it is anchored again: served meanwhile, its tiles, proofs and
 * on-chain root would all be missing, and witnesses would be asked to cosign it.
 */
export async function latestSignedCheckpoint(db: DbOrTx): Promise<SignedCheckpoint | undefined> {
  const [row] = await db
    .select({
      treeSize: checkpoints.treeSize,
      rootHash: checkpoints.rootHash,
      note: checkpoints.note,
    })
    .from(checkpoints)
    .where(and(isNotNull(checkpoints.note), eq(checkpoints.status, "anchored")))
    .orderBy(desc(checkpoints.treeSize))
    .limit(1);
  if (!row?.note) return undefined;
  const cosignatures = await db
    .select({
      witnessKey: checkpointCosignatures.witnessKey,
      line: checkpointCosignatures.line,
      cosignedAt: checkpointCosignatures.cosignedAt,
    })
    .from(checkpointCosignatures)
    .where(eq(checkpointCosignatures.treeSize, row.treeSize))
    .orderBy(asc(checkpointCosignatures.witnessKey));
  return { treeSize: row.treeSize, rootHash: row.rootHash, note: row.note, cosignatures };
}
