import { sql as drizzleSql } from "drizzle-orm";
import type { JsonRpcProvider } from "ethers";
import { describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { checkpoints } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { contractChain } from "@/lib/ledger/monitor-log";
import { connectTestChain } from "@/test/chain";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { waitFor } from "@/test/wait-for";
import { anchorCheckpoint, type LedgerChain } from "./anchor-checkpoint";
import { anchoringPass, withSessionLock } from "./run-anchoring";
import { logSize, sequenceEntries } from "./sequence-entries";

/*
 * A checkpoint transaction the node took into its pool and then never mined: a node restarted
 * from its state file comes back without its pool (dropTransactions does the same without the
 * wait), and a pool may hold a transaction whose fee is too low. Nothing else sends from the
 * anchorer's account, so its nonce never moves on and the wait never learns of a replacement.
 */

const db = connectTestDb(10);
const testChain = connectTestChain();

function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  // connectLedgerChain's provider is a JSON-RPC one.
  return (testChain.provider as JsonRpcProvider).send(method, params);
}

type Pool = { pending: Record<string, Record<string, { hash: string }>> };

/** The hash of the anchorer's pooled transaction, once there is one. */
async function pooledHash(): Promise<string | undefined> {
  const address = (await testChain.signer.getAddress()).toLowerCase();
  const pool = await rpc<Pool>("txpool_content");
  const mine = Object.entries(pool.pending).find(([from]) => from.toLowerCase() === address);
  return mine ? Object.values(mine[1])[0]?.hash : undefined;
}

async function sentCount(): Promise<number> {
  return testChain.provider.getTransactionCount(await testChain.signer.getAddress(), "latest");
}

async function claim(count: number): Promise<void> {
  const { dropId } = await createTestDrop(db, { units: count });
  const players = await createPlayers(db, count);
  for (const playerId of players) await claimDrop(db, { dropId, playerId });
}

/** The chain and the database agree, and every transaction the anchorer sent appended a checkpoint. */
async function expectAnchoredOnce(): Promise<void> {
  const onChain = contractChain(testChain.provider, testChain.contractAddress);
  const events = await onChain.checkpointEvents();
  const sizes = events.map((e) => e.treeSize);
  expect(sizes).toEqual([...new Set(sizes)].sort((a, b) => a - b));
  expect(sizes.at(-1)).toBe(await logSize(db));
  expect(await sentCount()).toBe(events.length);
  const recorded = await db
    .select({ treeSize: checkpoints.treeSize, txHash: checkpoints.txHash })
    .from(checkpoints)
    .where(drizzleSql`${checkpoints.status} = 'anchored'`)
    .orderBy(checkpoints.treeSize);
  expect(recorded.map((c) => [c.treeSize, c.txHash])).toEqual(
    events.map((e) => [e.treeSize, e.txHash]),
  );
}

describe("a checkpoint transaction the node never mines", () => {
  // Short, so the test does not wait a minute: only how soon the job resends depends on it.
  const chain = (): LedgerChain => ({ ...testChain, confirmTimeoutMs: 500 });

  it("is sent again when the node dropped it, and the entries are anchored once", async () => {
    await claim(3);
    await rpc("evm_setAutomine", [false]);
    const pass = anchoringPass(db, chain(), 1000);
    await waitFor(pooledHash);
    await rpc("anvil_dropAllTransactions");
    await rpc("evm_setAutomine", [true]);
    // Anchored, or reconciled when the resend's answer came after the timeout: either way once.
    expect(await pass).toMatchObject({ treeSize: await logSize(db) });
    await expectAnchoredOnce();
  }, 60_000);

  it("replaces it with a higher fee when the node still holds it", async () => {
    await claim(2);
    await rpc("evm_setAutomine", [false]);
    const pass = anchoringPass(db, chain(), 1000);
    const first = await waitFor(pooledHash);
    // Replaced in the pool (perhaps more than once before the block below is mined).
    await waitFor(async () => (await pooledHash()) !== first);
    await rpc("evm_setAutomine", [true]);
    await rpc("evm_mine");
    expect(await pass).toMatchObject({ treeSize: await logSize(db) });
    await expectAnchoredOnce();
    const events = await contractChain(
      testChain.provider,
      testChain.contractAddress,
    ).checkpointEvents();
    expect(events.at(-1)?.txHash).not.toBe(first);
  }, 60_000);

  it("is not sent by a job that lost its lock", async () => {
    await claim(1);
    await sequenceEntries(db, 1000);
    const sent = await sentCount();
    const sql = sqlClient(db);
    const key = 91_817;
    const refused = withSessionLock(sql, key, async (assertLocked) => {
      // The lock's connection drops (a network blip, a restarted pooler): another worker may now
      // hold the lock.
      await sql`select pg_terminate_backend(pid) from pg_locks
                where locktype = 'advisory' and objid = ${key} and pid <> pg_backend_pid()`;
      return anchorCheckpoint(db, chain(), assertLocked);
    });
    await expect(refused).rejects.toThrow();
    const [pending] = await db
      .select({ n: drizzleSql<number>`count(*)::int` })
      .from(checkpoints)
      .where(drizzleSql`${checkpoints.status} = 'pending'`);
    expect(pending?.n).toBe(1);
    expect(await sentCount()).toBe(sent);
  }, 60_000);
});
