/** Gas per redemption of anchoring checkpoints on the RedemptionLedger contract (anvil). */
import { Contract, type Signer } from "ethers";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { leafHash, MemoryLog, toHex } from "@/lib/ledger/merkle";
import { randomLeaves } from "./ledger-appends";

export type GasResult = {
  name: string;
  batch: number;
  txs: number;
  gasPerTx: number;
  gasPerRedemption: number;
  proofHashes: number;
};

/**
 * Anchors a log grown in `MemoryLog` with real consistency proofs. Returns the mean gasUsed of
 * `appendCheckpoint` (intrinsic 21,000 + calldata + execution) for each batch size, over
 * `repeats` checkpoints each, and the naive baseline: `naive` consecutive checkpoints of one new
 * leaf each, i.e. one transaction per redemption.
 */
export async function anchoringGas(
  signer: Signer,
  contractAddress: string,
  batches: number[],
  repeats: number,
  naive: number,
): Promise<GasResult[]> {
  const contract = new Contract(contractAddress, LEDGER_ABI, signer);
  const log = new MemoryLog();
  const append = async (n: number): Promise<{ gas: number; proof: number }> => {
    const oldSize = log.size;
    log.appendLeafHashes(randomLeaves(n).map(leafHash));
    const proof = oldSize === 0 ? [] : log.consistencyProof(oldSize);
    const tx = await contract.getFunction("appendCheckpoint")(
      log.size,
      toHex(log.root()),
      proof.map(toHex),
    );
    const receipt = await tx.wait();
    if (receipt?.status !== 1) throw new Error(`appendCheckpoint ${tx.hash} failed`);
    return { gas: Number(receipt.gasUsed), proof: proof.length };
  };
  // The first checkpoint carries no proof and pays for fresh storage slots: keep it out.
  await append(1);
  const results: GasResult[] = [];
  const run = async (name: string, batch: number, txs: number) => {
    let gas = 0;
    let proof = 0;
    for (let r = 0; r < txs; r++) {
      const g = await append(batch);
      gas += g.gas;
      proof += g.proof;
    }
    results.push({
      name,
      batch,
      txs,
      gasPerTx: gas / txs,
      gasPerRedemption: gas / txs / batch,
      proofHashes: proof / txs,
    });
  };
  for (const batch of batches) await run(`batched checkpoint of ${batch}`, batch, repeats);
  // Last, so its proofs are as long as the batched ones' (the log has grown to tens of thousands).
  await run("naive: 1 appendCheckpoint per redemption", 1, naive);
  const [onChain] = (await contract.getFunction("latestCheckpoint")()) as [bigint, string];
  if (Number(onChain) !== log.size) throw new Error(`chain at ${onChain}, log at ${log.size}`);
  return results;
}
