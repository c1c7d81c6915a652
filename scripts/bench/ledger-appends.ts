/** Log append throughput: MemoryLog (in memory), the DB sequencer, and @openzeppelin/merkle-tree. */
import { randomBytes } from "node:crypto";
import { SimpleMerkleTree, StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type postgres from "postgres";
import type { Db } from "@/db/client";
import { sequenceEntries } from "@/lib/anchoring/sequence-entries";
import { LEAF_LENGTH } from "@/lib/ledger/leaf";
import { type Hash, leafHash, MemoryLog, toHex } from "@/lib/ledger/merkle";
import { clusterCpuSeconds, processCpuSeconds } from "./measure";

export type AppendResult = {
  name: string;
  leaves: number;
  seconds: number;
  perSecond: number;
  note?: string;
};

function result(name: string, leaves: number, ms: number): AppendResult {
  return { name, leaves, seconds: ms / 1000, perSecond: leaves / (ms / 1000) };
}

/** `n` random 98-byte leaves as views over one buffer. */
export function randomLeaves(n: number): Uint8Array[] {
  const all = randomBytes(n * LEAF_LENGTH);
  return Array.from({ length: n }, (_, i) => all.subarray(i * LEAF_LENGTH, (i + 1) * LEAF_LENGTH));
}

/** MemoryLog.append one leaf at a time (leaf hash + every new perfect node stored). */
export function memoryLogAppends(leaves: Uint8Array[]): AppendResult {
  const log = new MemoryLog();
  const t0 = performance.now();
  for (const leaf of leaves) log.append(leaf);
  const root = log.root(); // the root of the full log is part of the work
  const ms = performance.now() - t0;
  if (root.length !== 32) throw new Error("bad root");
  return result("MemoryLog.append (1 leaf/call)", leaves.length, ms);
}

/** MemoryLog.appendLeafHashes in batches of `batch` (what the sequencer does per transaction). */
export function memoryLogBatches(leaves: Uint8Array[], batch: number): AppendResult {
  const log = new MemoryLog();
  const t0 = performance.now();
  for (let i = 0; i < leaves.length; i += batch) {
    const hashes: Hash[] = [];
    for (let j = i; j < Math.min(i + batch, leaves.length); j++) {
      hashes.push(leafHash(leaves[j] as Uint8Array));
    }
    log.appendLeafHashes(hashes);
  }
  log.root();
  return result(
    `MemoryLog.appendLeafHashes (batches of ${batch})`,
    leaves.length,
    performance.now() - t0,
  );
}

/** StandardMerkleTree.of over the raw 98-byte leaves (abi-encoded `bytes`, double keccak). */
export function ozStandard(leaves: Uint8Array[]): AppendResult {
  const values = leaves.map((l) => [toHex(l)]);
  const t0 = performance.now();
  const tree = StandardMerkleTree.of(values, ["bytes"]);
  const ms = performance.now() - t0;
  if (!tree.root) throw new Error("no root");
  return result("OZ StandardMerkleTree.of (full build)", leaves.length, ms);
}

/** SimpleMerkleTree.of over precomputed 32-byte leaf hashes (the cheapest OZ path). */
export function ozSimple(leaves: Uint8Array[]): AppendResult {
  const values = leaves.map((l) => toHex(leafHash(l)));
  const t0 = performance.now();
  const tree = SimpleMerkleTree.of(values);
  const ms = performance.now() - t0;
  if (!tree.root) throw new Error("no root");
  return result("OZ SimpleMerkleTree.of (full build, bytes32)", leaves.length, ms);
}

/**
 * The production sequencer on PostgreSQL: `count` unsequenced ledger entries (bulk inserted
 * beforehand, all pointing at one existing redemption, which the sequencer never reads) are
 * sequenced with `sequenceEntries(db, batch)` until none is left. Each call is one transaction:
 * read the batch, hash, load the frontier, insert the new nodes, number the entries, insert the
 * pending checkpoint.
 */
export async function dbSequencer(
  db: Db,
  sql: postgres.Sql,
  redemptionId: string,
  count: number,
  batch: number,
  pgDataDir?: string,
): Promise<AppendResult> {
  // Anything still waiting would be counted too: drain it first.
  while ((await sequenceEntries(db, batch)).appended > 0) {}
  const CHUNK = 10_000;
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start);
    const data = randomLeaves(n).map((l) => Buffer.from(l).toString("hex"));
    await sql`
      insert into ledger_entries (kind, redemption_id, leaf_data)
      select 'redemption', ${redemptionId}::uuid, decode(d, 'hex') from unnest(${data}::text[]) as t(d)`;
  }
  await sql`vacuum analyze ledger_entries`;
  let done = 0;
  const pg0 = clusterCpuSeconds(pgDataDir);
  const me0 = processCpuSeconds(process.pid);
  const t0 = performance.now();
  for (;;) {
    const { appended } = await sequenceEntries(db, batch);
    if (appended === 0) break;
    done += appended;
  }
  const ms = performance.now() - t0;
  const pgCpu = clusterCpuSeconds(pgDataDir) - pg0;
  const nodeCpu = processCpuSeconds(process.pid) - me0;
  if (done !== count) throw new Error(`sequenced ${done} entries, expected ${count}`);
  return {
    ...result(`sequenceEntries on PostgreSQL (batches of ${batch})`, done, ms),
    note: `CPU: node ${(nodeCpu / (ms / 1000)).toFixed(2)} cores, postgres ${(pgCpu / (ms / 1000)).toFixed(2)} cores; ${(ms / Math.ceil(count / batch)).toFixed(1)} ms per batch`,
  };
}
