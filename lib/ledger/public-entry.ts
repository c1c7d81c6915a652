import "server-only";
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { checkpoints, drops, ledgerEntries, ledgerNodes, prizes } from "@/db/schema";
import { anchoredCheckpointFor, inclusionProof } from "@/lib/anchoring/proofs";
import { LEAVES_PER_PAGE, publicCheckpoint } from "@/lib/anchoring/public-log";
import { decodeLeaf, type LeafEntry } from "./leaf";
import type { LedgerQuery } from "./ledger-query";
import { fromHex, leafHash, toHex } from "./merkle";

/**
 * The public view of single log entries: what the leaf's bytes say, named (prize and drop names
 * for their ids), and how it is anchored. Only what the leaves already publish, and the public
 * names of the prizes and drops they point to: never who the player is.
 */

export type PublicLeaf = { index: number; data: string };
/** Names for the prize and drop ids that a page's leaves carry. */
export type LeafNames = { prizes: Record<string, string>; drops: Record<string, string> };

type Hex = `0x${string}`;

/** The leaf's fields as JSON: bytes in 0x hex, the time in ISO 8601 as well as milliseconds. */
export function entryFields(entry: LeafEntry) {
  const common = {
    entryId: entry.entryId,
    timeMs: entry.timeMs,
    time: new Date(entry.timeMs).toISOString(),
    playerCommitment: toHex(entry.playerCommitment),
  };
  switch (entry.kind) {
    case "seed_commitment":
      return {
        kind: entry.kind,
        ...common,
        serverSeedHash: toHex(entry.serverSeedHash),
        firstNonce: entry.firstNonce,
      };
    case "round":
      return {
        kind: entry.kind,
        ...common,
        roundDigest: toHex(entry.roundDigest),
        payoutMinor: entry.payoutMinor,
      };
    case "queue_draw":
      return {
        kind: entry.kind,
        ...common,
        preQueueDigest: toHex(entry.preQueueDigest),
        count: entry.count,
        drawDigest: toHex(entry.drawDigest),
      };
    case "delivery":
      return {
        kind: entry.kind,
        ...common,
        referenceHash: toHex(entry.referenceHash),
        outcome: entry.outcome,
        provider: entry.provider,
      };
    default:
      return {
        kind: entry.kind,
        ...common,
        prizeId: entry.prizeId,
        dropId: entry.dropId,
        valueCents: entry.valueCents,
      };
  }
}

function decodeOrNull(data: string): LeafEntry | null {
  try {
    return decodeLeaf(fromHex(data));
  } catch {
    return null;
  }
}

/** The prize and drop names of the ids these leaves carry, in two queries. */
export async function leafNames(db: DbOrTx, leaves: PublicLeaf[]): Promise<LeafNames> {
  const prizeIds = new Set<string>();
  const dropIds = new Set<string>();
  for (const leaf of leaves) {
    const entry = decodeOrNull(leaf.data);
    if (entry && "prizeId" in entry) {
      prizeIds.add(entry.prizeId);
      if (entry.dropId) dropIds.add(entry.dropId);
    }
  }
  const [prizeRows, dropRows] = await Promise.all([
    prizeIds.size === 0
      ? []
      : db
          .select({ id: prizes.id, name: prizes.name })
          .from(prizes)
          .where(inArray(prizes.id, [...prizeIds])),
    dropIds.size === 0
      ? []
      : db
          .select({ id: drops.id, name: drops.title })
          .from(drops)
          .where(inArray(drops.id, [...dropIds])),
  ]);
  return {
    prizes: Object.fromEntries(prizeRows.map((r) => [r.id, r.name])),
    drops: Object.fromEntries(dropRows.map((r) => [r.id, r.name])),
  };
}

async function latestAnchoredCheckpoint(db: DbOrTx) {
  const [cp] = await db
    .select()
    .from(checkpoints)
    .where(eq(checkpoints.status, "anchored"))
    .orderBy(desc(checkpoints.treeSize))
    .limit(1);
  return cp;
}

/**
 * One entry of the public log: its bytes and hash, its decoded fields with names, its inclusion
 * proof against the latest anchored checkpoint, and the checkpoint that first anchored it (null
 * while none has). Undefined when the log has no leaf at `index`.
 */
export async function getPublicEntry(db: DbOrTx, index: number) {
  if (!Number.isSafeInteger(index) || index < 0) return undefined;
  const [row] = await db
    .select({ data: ledgerEntries.leafData })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.leafIndex, index));
  if (!row) return undefined;
  const data = toHex(row.data);
  const entry = decodeOrNull(data);
  const [names, first, latest] = await Promise.all([
    leafNames(db, [{ index, data }]),
    anchoredCheckpointFor(db, index),
    latestAnchoredCheckpoint(db),
  ]);
  const covered = latest && latest.treeSize > index ? latest : undefined;
  const proof = covered ? await inclusionProof(db, index, covered.treeSize) : [];
  const prizeId = entry && "prizeId" in entry ? entry.prizeId : null;
  const dropId = entry && "dropId" in entry ? entry.dropId : null;
  return {
    index,
    data,
    leafHash: toHex(leafHash(row.data)),
    entry: entry && entryFields(entry),
    prize: prizeId ? { id: prizeId, name: names.prizes[prizeId] ?? null } : null,
    drop: dropId ? { id: dropId, title: names.drops[dropId] ?? null } : null,
    inclusion: covered
      ? {
          treeSize: covered.treeSize,
          rootHash: toHex(covered.rootHash),
          auditPath: proof.map(toHex) as Hex[],
        }
      : null,
    anchor: first ? publicCheckpoint(first) : null,
  };
}
export type PublicEntry = NonNullable<Awaited<ReturnType<typeof getPublicEntry>>>;

async function leavesAt(db: DbOrTx, where: ReturnType<typeof and>, limit = LEAVES_PER_PAGE) {
  const rows = await db
    .select({ index: ledgerEntries.leafIndex, data: ledgerEntries.leafData })
    .from(ledgerEntries)
    .where(and(isNotNull(ledgerEntries.leafIndex), where))
    .orderBy(asc(ledgerEntries.leafIndex))
    .limit(limit);
  return rows.map((r) => ({ index: r.index as number, data: toHex(r.data) }));
}

/** The anchoring transaction `txHash` and the leaves it was the first to anchor (at most a page). */
async function transactionLeaves(db: DbOrTx, txHash: string) {
  const [cp] = await db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.status, "anchored"), sql`lower(${checkpoints.txHash}) = ${txHash}`))
    .orderBy(desc(checkpoints.treeSize))
    .limit(1);
  if (!cp) return undefined;
  const [previous] = await db
    .select({ treeSize: checkpoints.treeSize })
    .from(checkpoints)
    .where(and(eq(checkpoints.status, "anchored"), lt(checkpoints.treeSize, cp.treeSize)))
    .orderBy(desc(checkpoints.treeSize))
    .limit(1);
  const from = previous?.treeSize ?? 0;
  const leaves = await leavesAt(
    db,
    and(gte(ledgerEntries.leafIndex, from), lt(ledgerEntries.leafIndex, cp.treeSize)),
  );
  return { anchor: publicCheckpoint(cp), from, to: cp.treeSize, leaves };
}

/**
 * What the /ledger search box finds: the leaves at an index, of a redemption (or round or seed)
 * id, or with a leaf hash; for a transaction hash, the checkpoint it anchored and its new leaves.
 * `unsequenced` counts an id's entries that are recorded but not in the log yet.
 */
export async function searchLedger(db: DbOrTx, query: Exclude<LedgerQuery, { kind: "invalid" }>) {
  if (query.kind === "index") {
    return { leaves: await leavesAt(db, eq(ledgerEntries.leafIndex, query.index)), unsequenced: 0 };
  }
  if (query.kind === "id") {
    const ofId = or(
      eq(ledgerEntries.redemptionId, query.id),
      eq(ledgerEntries.roundId, query.id),
      eq(ledgerEntries.fairSeedId, query.id),
    );
    const [leaves, [waiting]] = await Promise.all([
      leavesAt(db, ofId),
      db
        .select({ count: sql<number>`count(*)::int` })
        .from(ledgerEntries)
        .where(and(ofId, isNull(ledgerEntries.leafIndex))),
    ]);
    return { leaves, unsequenced: waiting?.count ?? 0 };
  }
  // A leaf hash is a level-0 node of the stored tree.
  const [node] = await db
    .select({ index: ledgerNodes.index })
    .from(ledgerNodes)
    .where(and(eq(ledgerNodes.level, 0), eq(ledgerNodes.hash, fromHex(query.hash))))
    .limit(1);
  const [leaves, transaction] = await Promise.all([
    node ? leavesAt(db, eq(ledgerEntries.leafIndex, node.index)) : [],
    transactionLeaves(db, query.hash),
  ]);
  return { leaves, unsequenced: 0, ...(transaction && { transaction }) };
}
export type LedgerSearchResult = Awaited<ReturnType<typeof searchLedger>>;
