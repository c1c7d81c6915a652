import "server-only";
import { and, asc, count, eq, gt, gte, inArray, isNotNull, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type Checkpoint, checkpointCosignatures, checkpoints } from "@/db/schema";
import { formatNote, parseNote } from "@/lib/tlog/note";

/** The checkpoint a receipt proves its leaf in, and that checkpoint as the log signed it. */
export type ReceiptCheckpoint = { checkpoint: Checkpoint; signedNote?: string };

/**
 * The witnesses whose cosignatures count and go into receipts: those the operator configures
 * now. A retired witness's lines would count toward a quorum that verifiers, trusting the
 * current list, do not see met.
 */
export type ReceiptWitnesses = { keys: readonly string[]; quorum: number };

const ofWitnesses = (keys: readonly string[]) =>
  inArray(checkpointCosignatures.witnessKey, [...keys]);

const cosignatureCount = (keys: readonly string[]) => sql<number>`(
  select count(*)::int from ${checkpointCosignatures}
  where ${checkpointCosignatures.treeSize} = ${checkpoints.treeSize} and ${ofWitnesses(keys)})`;

async function firstAnchored(
  db: DbOrTx,
  leafIndex: number,
  ...conditions: SQL[]
): Promise<Checkpoint | undefined> {
  const [cp] = await db
    .select()
    .from(checkpoints)
    .where(
      and(eq(checkpoints.status, "anchored"), gt(checkpoints.treeSize, leafIndex), ...conditions),
    )
    .orderBy(asc(checkpoints.treeSize))
    .limit(1);
  return cp;
}

async function cosignatureCountOf(
  db: DbOrTx,
  treeSize: number,
  keys: readonly string[],
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(checkpointCosignatures)
    .where(and(eq(checkpointCosignatures.treeSize, treeSize), ofWitnesses(keys)));
  return row?.n ?? 0;
}

/**
 * The anchored checkpoint a receipt for the leaf uses: the first covering it that the log signed
 * and at least `quorum` of the given witnesses cosigned; else the first the log signed (its witnesses were
 * down, or cosign only later checkpoints); else, for leaves anchored before checkpoints were
 * signed, the first anchored. Each is fixed once it exists, so a receipt changes only by gaining
 * signatures. Undefined while no anchored checkpoint covers the leaf.
 */
export async function receiptCheckpointFor(
  db: DbOrTx,
  leafIndex: number | null,
  { keys, quorum }: ReceiptWitnesses,
): Promise<ReceiptCheckpoint | undefined> {
  if (leafIndex === null) return undefined;
  const first = await firstAnchored(db, leafIndex);
  if (!first) return undefined;
  // The usual case, answered without scanning: the first checkpoint is signed and witnessed.
  const firstWitnessed =
    first.note !== null && (await cosignatureCountOf(db, first.treeSize, keys)) >= quorum;
  const chosen = firstWitnessed
    ? first
    : ((await firstAnchored(
        db,
        leafIndex,
        isNotNull(checkpoints.note),
        gte(cosignatureCount(keys), quorum),
      )) ??
      (first.note !== null
        ? first
        : await firstAnchored(db, leafIndex, isNotNull(checkpoints.note))) ??
      first);
  if (chosen.note === null) return { checkpoint: chosen };
  return {
    checkpoint: chosen,
    signedNote: await withCosignatures(db, chosen.treeSize, chosen.note, keys),
  };
}

/**
 * The log's signed note with the given witnesses' cosignature lines appended, in witness-key order
 * so that the same signatures always give the same bytes. A line the note already carries is
 * not repeated, and one that is not a signature line is left out rather than break the receipt
 * (verifiers check each witness's signature anyway).
 */
async function withCosignatures(
  db: DbOrTx,
  treeSize: number,
  note: string,
  keys: readonly string[],
): Promise<string> {
  const rows = await db
    .select({ line: checkpointCosignatures.line })
    .from(checkpointCosignatures)
    .where(and(eq(checkpointCosignatures.treeSize, treeSize), ofWitnesses(keys)))
    .orderBy(asc(checkpointCosignatures.witnessKey));
  const { text, signatures } = parseNote(note);
  const lines = signatures.map((s) => s.line);
  for (const { line } of rows) {
    if (!lines.includes(line) && isSignatureLine(text, line)) lines.push(line);
  }
  return formatNote(text, lines);
}

function isSignatureLine(text: string, line: string): boolean {
  try {
    return parseNote(`${text}\n${line}`).signatures.length === 1;
  } catch {
    return false;
  }
}
