import "server-only";
import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { checkpoints, ledgerEntries } from "@/db/schema";
import { appendNodes, leafHash, type NodeId, rangeHash, rangeNodes } from "@/lib/ledger/merkle";
import { loadNodes } from "./node-store";

// One sequencer at a time across every worker process.
export const SEQUENCER_LOCK = 72_092;

export type SequenceResult = { appended: number; treeSize: number };

/** Size of the log: the number of sequenced entries (indexes are gap-free from 0). */
export async function logSize(db: DbOrTx): Promise<number> {
  const [row] = await db
    .select({ size: sql<number>`coalesce(max(${ledgerEntries.leafIndex}) + 1, 0)::bigint` })
    .from(ledgerEntries);
  return Number(row?.size ?? 0);
}

/** How many entries wait to be sequenced (counting up to `limit`) and how long the oldest has. */
export async function waitingEntries(
  db: DbOrTx,
  limit: number,
): Promise<{ count: number; oldestAgeMs: number }> {
  const [row] = await db.execute<{ count: number; age_ms: number | null }>(sql`
    select count(*)::int as count,
           (extract(epoch from now() - min(created_at)) * 1000)::float8 as age_ms
    from (select created_at from ${ledgerEntries} where leaf_index is null order by id limit ${limit}) w`);
  return { count: row?.count ?? 0, oldestAgeMs: row?.age_ms ?? 0 };
}

/**
 * Appends up to `limit` committed, unsequenced entries to the log in one transaction: indexes,
 * new subtree hashes and a pending checkpoint for the new size. Returns 0 appended when another
 * process holds the sequencer lock or nothing is waiting.
 */
export async function sequenceEntries(db: Db, limit: number): Promise<SequenceResult> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.execute<{ ok: boolean }>(
      sql`select pg_try_advisory_xact_lock(${SEQUENCER_LOCK}) as ok`,
    );
    const size = await logSize(tx);
    if (!lock?.ok) return { appended: 0, treeSize: size };
    const pending = await tx
      .select({ id: ledgerEntries.id, leafData: ledgerEntries.leafData })
      .from(ledgerEntries)
      .where(sql`${ledgerEntries.leafIndex} is null`)
      .orderBy(ledgerEntries.id)
      .limit(limit);
    if (pending.length === 0) return { appended: 0, treeSize: size };

    const hashes = pending.map((e) => leafHash(e.leafData));
    const frontier = await loadNodes(tx, size === 0 ? [] : rangeNodes(0, size));
    const created = appendNodes(size, hashes, frontier);
    const newSize = size + pending.length;
    // The new root needs only the O(log n) perfect subtrees that make up the whole log.
    const key = (id: NodeId) => `${id.level}:${id.index}`;
    const rootParts = new Set(rangeNodes(0, newSize).map(key));
    const fresh = new Map(
      created.filter((n) => rootParts.has(key(n.id))).map((n) => [key(n.id), n.hash]),
    );
    const root = rangeHash(0, newSize, (id) => fresh.get(key(id)) ?? frontier(id));

    // One statement for all new nodes (bytes travel as hex: postgres.js sends bytea arrays badly).
    await tx.execute(sql`
      insert into ledger_nodes (level, idx, hash)
      select l, i, decode(h, 'hex')
      from unnest(${sql.param(created.map((n) => n.id.level))}::smallint[],
                  ${sql.param(created.map((n) => n.id.index))}::bigint[],
                  ${sql.param(created.map((n) => Buffer.from(n.hash).toString("hex")))}::text[])
        as t(l, i, h)`);
    const ids = pending.map((e) => e.id);
    await tx.execute(sql`
      update ${ledgerEntries} set leaf_index = ${size} + s.ord - 1, sequenced_at = now()
      from unnest(${sql.param(ids)}::bigint[]) with ordinality as s(id, ord)
      where ${ledgerEntries.id} = s.id`);
    await tx.insert(checkpoints).values({ treeSize: newSize, rootHash: root });
    return { appended: pending.length, treeSize: newSize };
  });
}
