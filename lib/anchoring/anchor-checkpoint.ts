import "server-only";
import { and, asc, desc, eq, gt, lte, sql } from "drizzle-orm";
import {
  type AbstractProvider,
  Contract,
  isError,
  type Signer,
  type TransactionResponse,
} from "ethers";
import type { Db } from "@/db/client";
import { notify } from "@/db/notify";
import { checkpoints, ledgerEntries } from "@/db/schema";
import { env } from "@/lib/config/env";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { toHex } from "@/lib/ledger/merkle";
import { log } from "@/lib/log";
import { configuredLogSigner, signCheckpoint } from "./log-checkpoints";
import { HAS_RECEIPT, promisedBy } from "./promised-by";
import { consistencyProof, storedRoot } from "./proofs";

export type LedgerChain = {
  provider: AbstractProvider;
  signer: Signer;
  contractAddress: string;
  chainId: number;
  /** How long a sent checkpoint may stay unmined before it is sent again, replacing it. */
  confirmTimeoutMs: number;
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
 * `assertLocked` throws when this job no longer holds the anchoring lock; it is asked before each
 * send.
 */
export async function anchorCheckpoint(
  db: Db,
  chain: LedgerChain,
  assertLocked: () => Promise<void> = async () => {},
): Promise<AnchorResult> {
  // A transaction the node took but has not mined within the timeout. A node that restarts drops
  // its pool, and nothing else would ever move the nonce on: waiting for it would hang forever.
  let stuck: TransactionResponse | undefined;
  for (;;) {
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
    await reopenLost(db, chain, onChain);
    const [target] = await db
      .select()
      .from(checkpoints)
      .where(eq(checkpoints.status, "pending"))
      .orderBy(desc(checkpoints.treeSize))
      .limit(1);
    if (!target) return { status: "idle" };

    // Even when the target is further on: a checkpoint sent without its answer ever arriving (the
    // node stopped first) is on chain, and its entries were anchored in its block, not a later one.
    await reconcile(db, chain, contract, onChain);
    if (onChain >= target.treeSize) return { status: "reconciled", treeSize: onChain };

    const proof = await consistencyProof(db, onChain, target.treeSize);
    await assertLocked();
    let tx: TransactionResponse;
    try {
      tx = await contract.getFunction("appendCheckpoint")(
        target.treeSize,
        toHex(target.rootHash),
        proof.map(toHex),
        stuck ? await replacementOverrides(chain, stuck) : {},
      );
    } catch (error) {
      // Fees at their cap: the node still holds the stuck transaction (a dropped one would not be
      // "replaced"), so it is still ours to wait for.
      if (!stuck || !isError(error, "REPLACEMENT_UNDERPRICED")) throw error;
      tx = stuck;
    }
    let receipt: Awaited<ReturnType<TransactionResponse["wait"]>>;
    try {
      receipt = await tx.wait(1, chain.confirmTimeoutMs);
    } catch (error) {
      // Replaced: an earlier send of ours was mined after all; reconciling records it.
      if (!isError(error, "TIMEOUT") && !isError(error, "TRANSACTION_REPLACED")) throw error;
      stuck = tx;
      continue;
    }
    if (receipt?.status !== 1) throw new Error(`checkpoint transaction ${tx.hash} failed`);
    const block = await chain.provider.getBlock(receipt.blockNumber);
    if (!block) throw new Error(`block ${receipt.blockNumber} not found`);
    await recordAnchored(db, chain, target.treeSize, tx.hash, receipt.blockNumber, block.timestamp);
    return { status: "anchored", treeSize: target.treeSize, txHash: tx.hash };
  }
}

/**
 * The next unmined nonce, so the new transaction takes the stuck one's place if the node still
 * holds it, with fees a quarter higher than its (nodes replace a pooled transaction only for at
 * least a tenth more), never below the current ones. Its gas limit too: estimating against a
 * pending state that holds the stuck checkpoint would revert.
 */
async function replacementOverrides(chain: LedgerChain, stuck: TransactionResponse) {
  const nonce = await chain.provider.getTransactionCount(stuck.from, "latest");
  const now = await chain.provider.getFeeData();
  // Capped at four times the current fee: on a congested chain the job resends every timeout,
  // and compounding without a limit would soon pay any price.
  const raise = (old: bigint | null, current: bigint | null) => {
    const raised = ((old ?? 0n) * 5n) / 4n;
    if (current === null) return raised;
    if (raised < current) return current;
    return raised > current * 4n ? current * 4n : raised;
  };
  const { gasLimit } = stuck;
  if (stuck.maxFeePerGas === null) {
    return { nonce, gasLimit, gasPrice: raise(stuck.gasPrice, now.gasPrice) };
  }
  return {
    nonce,
    gasLimit,
    maxFeePerGas: raise(stuck.maxFeePerGas, now.maxFeePerGas),
    maxPriorityFeePerGas: raise(stuck.maxPriorityFeePerGas, now.maxPriorityFeePerGas),
  };
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
    // The log signs the pair the contract now holds, and only that (C2SP tlog-checkpoint);
    // witnesses hear of it at the commit.
    const signer = configuredLogSigner();
    if (signer) {
      await signCheckpoint(tx, signer, treeSize);
      await notify(tx, "checkpoints");
    }
    // Dashboards show the anchoring lag and the last checkpoint; no one drop is concerned.
    await notify(tx, "analytics");
  });
}

/**
 * Checkpoints recorded as anchored in this contract above the size it holds: the node lost their
 * blocks (one restarted from a state saved before them, a reorganisation). They are pending
 * again, so the next send covers their entries, and no receipt names a transaction the chain
 * does not have. Their signed notes stay: a note states a size and root of the append-only tree,
 * which the lost block does not make false; signing again would give the same bytes (Ed25519 is
 * deterministic), and witnesses may have cosigned it already.
 */
async function reopenLost(db: Db, chain: LedgerChain, onChain: number): Promise<void> {
  const lost = await db
    .update(checkpoints)
    .set({
      status: "pending",
      chainId: null,
      contract: null,
      txHash: null,
      blockNumber: null,
      blockTime: null,
      anchoredAt: null,
      missedDeadlines: 0,
    })
    .where(
      and(
        eq(checkpoints.status, "anchored"),
        eq(checkpoints.contract, chain.contractAddress),
        gt(checkpoints.treeSize, onChain),
      ),
    )
    .returning({ treeSize: checkpoints.treeSize });
  if (lost.length > 0) {
    log().warning("anchored_checkpoints_lost_by_chain", {
      onChain,
      treeSizes: lost.map((c) => c.treeSize).join(","),
    });
  }
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
