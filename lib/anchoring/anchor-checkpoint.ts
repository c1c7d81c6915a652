import { and, asc, desc, eq, lte, sql } from "drizzle-orm";
import { type AbstractProvider, Contract, type Signer } from "ethers";
import type { Db } from "@/db/client";
import { checkpoints, ledgerEntries } from "@/db/schema";
import { env } from "@/lib/config/env";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { toHex } from "@/lib/ledger/merkle";
import { HAS_RECEIPT, promisedBy } from "./promised-by";
import { consistencyProof, storedRoot } from "./proofs";

export type LedgerChain = {
  provider: AbstractProvider;
  signer: Signer;
  contractAddress: string;
  chainId: number;
};

export type AnchorResult =
  | { status: "idle" }
  | { status: "anchored"; treeSize: number; txHash: string }
  | { status: "reconciled"; treeSize: number };

function ledgerContract(chain: LedgerChain): Contract {
  return new Contract(chain.contractAddress, LEDGER_ABI, chain.signer);
}

/**
 * Writes the newest pending checkpoint to the ledger contract with a consistency proof from the
 * checkpoint the contract already holds. Before sending, it reconciles with the chain: a checkpoint
 * that reached the chain but was not recorded (a crash after sending) is recorded, not sent twice.
 */
export async function anchorCheckpoint(db: Db, chain: LedgerChain): Promise<AnchorResult> {
  const [target] = await db
    .select()
    .from(checkpoints)
    .where(eq(checkpoints.status, "pending"))
    .orderBy(desc(checkpoints.treeSize))
    .limit(1);
  if (!target) return { status: "idle" };

  const contract = ledgerContract(chain);
  const [chainSize, chainRoot] = (await contract.getFunction("latestCheckpoint")()) as [
    bigint,
    string,
  ];
  const onChain = Number(chainSize);
  if (onChain > 0) {
    const ours = toHex(await storedRoot(db, onChain));
    if (ours !== chainRoot.toLowerCase()) {
      throw new Error(
        `the ledger contract holds root ${chainRoot} for size ${onChain} but this log has ${ours}: refusing to anchor a fork`,
      );
    }
  }
  // Even when the target is further on: a checkpoint sent without its answer ever arriving (the
  // node stopped first) is on chain, and its entries were anchored in its block, not a later one.
  await reconcile(db, chain, contract, onChain);
  if (onChain >= target.treeSize) return { status: "reconciled", treeSize: onChain };

  const proof = await consistencyProof(db, onChain, target.treeSize);
  const tx = await contract.getFunction("appendCheckpoint")(
    target.treeSize,
    toHex(target.rootHash),
    proof.map(toHex),
  );
  const receipt = await tx.wait();
  if (receipt?.status !== 1) throw new Error(`checkpoint transaction ${tx.hash} failed`);
  const block = await chain.provider.getBlock(receipt.blockNumber);
  if (!block) throw new Error(`block ${receipt.blockNumber} not found`);
  await recordAnchored(db, chain, target.treeSize, tx.hash, receipt.blockNumber, block.timestamp);
  return { status: "anchored", treeSize: target.treeSize, txHash: tx.hash };
}

async function recordAnchored(
  db: Db,
  chain: LedgerChain,
  treeSize: number,
  txHash: string,
  blockNumber: number,
  blockTime: number,
): Promise<void> {
  const { ANCHOR_DEADLINE_SECONDS } = env();
  await db.transaction(async (tx) => {
    // Its entries are those above the previous anchored checkpoint; a promise is broken when the
    // block is later than promised.
    await tx.execute(sql`
      update ${checkpoints} set missed_deadlines = (
        select count(*) from ${ledgerEntries}
        where leaf_index >= (select coalesce(max(tree_size), 0) from ${checkpoints}
                             where status = 'anchored' and tree_size < ${treeSize})
          and leaf_index < ${treeSize} and ${HAS_RECEIPT}
          and ${promisedBy(ANCHOR_DEADLINE_SECONDS)} < ${blockTime})
      where tree_size = ${treeSize}`);
    await tx
      .update(checkpoints)
      .set({
        status: "anchored",
        chainId: chain.chainId,
        contract: chain.contractAddress,
        txHash,
        blockNumber,
        blockTime,
        anchoredAt: sql`now()`,
      })
      .where(eq(checkpoints.treeSize, treeSize));
    // Smaller pending checkpoints were skipped: the anchored one covers their entries.
    await tx
      .update(checkpoints)
      .set({ status: "superseded" })
      .where(and(eq(checkpoints.status, "pending"), sql`${checkpoints.treeSize} < ${treeSize}`));
    // Dashboards show the anchoring lag and the last checkpoint; no one drop is concerned.
    await tx.execute(sql`select pg_notify('analytics', '')`);
  });
}

/**
 * Records every pending checkpoint the chain already has (found through its event), smallest
 * first, and drops the other pending ones the chain has passed.
 */
async function reconcile(
  db: Db,
  chain: LedgerChain,
  contract: Contract,
  onChain: number,
): Promise<void> {
  const pending = await db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.status, "pending"), lte(checkpoints.treeSize, onChain)))
    .orderBy(asc(checkpoints.treeSize));
  for (const cp of pending) {
    const [root] = (await contract.getFunction("checkpointAt")(cp.treeSize)) as [string, bigint];
    if (root.toLowerCase() !== toHex(cp.rootHash)) continue;
    const events = await contract.queryFilter(
      contract.getEvent("CheckpointAppended")(cp.treeSize),
      0,
    );
    const event = events[0];
    if (!event) continue;
    const block = await chain.provider.getBlock(event.blockNumber);
    if (!block) continue;
    await recordAnchored(
      db,
      chain,
      cp.treeSize,
      event.transactionHash,
      event.blockNumber,
      block.timestamp,
    );
  }
  await db
    .update(checkpoints)
    .set({ status: "superseded" })
    .where(and(eq(checkpoints.status, "pending"), lte(checkpoints.treeSize, onChain)));
}
