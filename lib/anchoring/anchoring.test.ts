import { eq, isNotNull, sql } from "drizzle-orm";
import { Contract } from "ethers";
import { describe, expect, it } from "vitest";
import { checkpoints, ledgerEntries } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { jsonRpcProvider } from "@/lib/ledger/json-rpc";
import { toHex } from "@/lib/ledger/merkle";
import { verifyReceipt } from "@/lib/ledger/receipt";
import { getReceipt } from "@/lib/redemptions/redemptions";
import { connectTestChain } from "@/test/chain";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { anchorCheckpoint } from "./anchor-checkpoint";
import { consistencyProof } from "./proofs";
import { anchoringPass } from "./run-anchoring";
import { logSize, sequenceEntries } from "./sequence-entries";

const db = connectTestDb(30);
const chain = connectTestChain();

/** A node-specific JSON-RPC call (anvil's snapshots) on the test chain. */
async function send(method: string, params: unknown[]): Promise<unknown> {
  const provider = jsonRpcProvider(chain.rpcUrl);
  try {
    return await provider.send(method, params);
  } finally {
    provider.destroy();
  }
}

function nth<T>(items: T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}

async function claimMany(
  count: number,
): Promise<Array<{ playerId: string; redemptionId: string }>> {
  const { dropId } = await createTestDrop(db, { units: count });
  const players = await createPlayers(db, count);
  return Promise.all(
    players.map(async (playerId) => ({
      playerId,
      redemptionId: (await claimDrop(db, { dropId, playerId })).redemption.id,
    })),
  );
}

describe("anchoring", () => {
  it("anchors claims so that their receipts verify against the chain, before and after growth", async () => {
    const first = await claimMany(12);
    const pending = await getReceipt(db, nth(first, 0).playerId, nth(first, 0).redemptionId);
    expect(pending?.status).toBe("pending");

    expect((await anchoringPass(db, chain, 1000)).status).toBe("anchored");
    const receipts = await Promise.all(
      first.map((c) => getReceipt(db, c.playerId, c.redemptionId)),
    );
    for (const receipt of receipts) {
      expect(receipt?.status).toBe("anchored");
      const result = await verifyReceipt(receipt, chain.provider, chain.trust);
      expect(result.steps.filter((s) => !s.ok)).toEqual([]);
      expect(result.ok).toBe(true);
    }

    // The log grows; the contract accepts the new checkpoint only with a consistency proof, and
    // the receipts issued against the earlier checkpoint stay valid.
    const second = await claimMany(7);
    expect((await anchoringPass(db, chain, 5)).status).toBe("anchored");
    const later = await getReceipt(db, nth(second, 6).playerId, nth(second, 6).redemptionId);
    expect((await verifyReceipt(later, chain.provider, chain.trust)).ok).toBe(true);
    const again = await getReceipt(db, nth(first, 0).playerId, nth(first, 0).redemptionId);
    expect(again).toEqual(receipts[0]);
    expect((await verifyReceipt(again, chain.provider, chain.trust)).ok).toBe(true);
  });

  it("fails verification of a receipt with a changed field", async () => {
    const claim = nth(await claimMany(1), 0);
    await anchoringPass(db, chain, 1000);
    const receipt = await getReceipt(db, claim.playerId, claim.redemptionId);
    if (receipt?.status !== "anchored") throw new Error("not anchored");
    const flip = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith("0") ? "1" : "0"}`;
    const tampered = [
      { ...receipt, leaf: { ...receipt.leaf, data: flip(receipt.leaf.data) } },
      { ...receipt, leaf: { ...receipt.leaf, salt: flip(receipt.leaf.salt) } },
      {
        ...receipt,
        checkpoint: { ...receipt.checkpoint, rootHash: flip(receipt.checkpoint.rootHash) },
      },
      { ...receipt, anchor: { ...receipt.anchor, txHash: flip(receipt.anchor.txHash) } },
      { ...receipt, anchor: { ...receipt.anchor, blockTime: receipt.anchor.blockTime + 1 } },
    ];
    for (const bad of tampered) {
      expect((await verifyReceipt(bad, chain.provider, chain.trust)).ok).toBe(false);
    }
  });

  /** Sends the newest pending checkpoint the way the job would, then "crashes" before recording it. */
  async function sendWithoutRecording(): Promise<{ treeSize: number; txHash: string }> {
    await claimMany(3);
    await sequenceEntries(db, 1000);
    const [target] = await db
      .select()
      .from(checkpoints)
      .where(eq(checkpoints.status, "pending"))
      .orderBy(sql`${checkpoints.treeSize} desc`)
      .limit(1);
    if (!target) throw new Error("no pending checkpoint");
    const contract = new Contract(chain.contractAddress, LEDGER_ABI, chain.signer);
    const [onChain] = (await contract.getFunction("latestCheckpoint")()) as [bigint, string];
    const proof = await consistencyProof(db, Number(onChain), target.treeSize);
    const tx = await contract.getFunction("appendCheckpoint")(
      target.treeSize,
      toHex(target.rootHash),
      proof.map(toHex),
    );
    await tx.wait();
    return { treeSize: target.treeSize, txHash: tx.hash };
  }

  it("records a checkpoint that reached the chain before a crash instead of sending it again", async () => {
    const target = await sendWithoutRecording();
    expect(await anchorCheckpoint(db, chain)).toEqual({
      status: "reconciled",
      treeSize: target.treeSize,
    });
    const [recorded] = await db
      .select()
      .from(checkpoints)
      .where(eq(checkpoints.treeSize, target.treeSize));
    expect(recorded).toMatchObject({ status: "anchored", txHash: target.txHash });
    expect(await anchorCheckpoint(db, chain)).toEqual({ status: "idle" });
  });

  it("records such a checkpoint even when a larger one is waiting to be sent", async () => {
    const crashed = await sendWithoutRecording();
    await claimMany(2);
    await sequenceEntries(db, 1000);
    const result = await anchorCheckpoint(db, chain);
    expect(result).toMatchObject({ status: "anchored", treeSize: crashed.treeSize + 2 });
    // Its entries were anchored in its block: receipts and the deadline monitor rely on that.
    const [recorded] = await db
      .select()
      .from(checkpoints)
      .where(eq(checkpoints.treeSize, crashed.treeSize));
    expect(recorded).toMatchObject({ status: "anchored", txHash: crashed.txHash });
  });

  it("sends again a checkpoint whose block the node lost, so that its receipts verify", async () => {
    // What a node killed before saving its last blocks (anvil saves its state every second)
    // comes back as: the state of a moment before the checkpoint was mined.
    const saved = await send("evm_snapshot", []);
    const claim = nth(await claimMany(2), 1);
    const sent = await anchoringPass(db, chain, 1000);
    if (sent.status !== "anchored") throw new Error(`not anchored: ${sent.status}`);
    await send("evm_revert", [saved]);

    const again = await anchorCheckpoint(db, chain);
    expect(again).toMatchObject({ status: "anchored", treeSize: sent.treeSize });
    const [recorded] = await db
      .select()
      .from(checkpoints)
      .where(eq(checkpoints.treeSize, sent.treeSize));
    // The same transaction as before (same nonce, same call), now in a block the chain has.
    const mined = await chain.provider.getTransactionReceipt(recorded?.txHash ?? "");
    expect(mined?.blockNumber).toBe(recorded?.blockNumber);
    const receipt = await getReceipt(db, claim.playerId, claim.redemptionId);
    expect((await verifyReceipt(receipt, chain.provider, chain.trust)).ok).toBe(true);
    expect(await anchorCheckpoint(db, chain)).toEqual({ status: "idle" });
  });

  it("assigns gap-free leaf indexes when several sequencers race", async () => {
    await claimMany(40);
    await Promise.all(Array.from({ length: 4 }, () => sequenceEntries(db, 7)));
    for (;;) {
      const { appended } = await sequenceEntries(db, 1000);
      if (appended === 0) break;
    }
    const size = await logSize(db);
    const [stats] = await db
      .select({
        n: sql<number>`count(*)::int`,
        distinct: sql<number>`count(distinct ${ledgerEntries.leafIndex})::int`,
        max: sql<number>`max(${ledgerEntries.leafIndex})::int`,
      })
      .from(ledgerEntries)
      .where(isNotNull(ledgerEntries.leafIndex));
    expect(stats).toEqual({ n: size, distinct: size, max: size - 1 });
  });
});
