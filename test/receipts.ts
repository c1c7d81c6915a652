import { Contract, NonceManager, type Provider, type Signer, Wallet } from "ethers";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { deployLedger } from "@/lib/ledger/deploy";
import { encodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { leafHash, MemoryLog, toHex } from "@/lib/ledger/merkle";
import {
  type ProvisionalReceipt,
  promiseMessage,
  RECEIPT_SIGNER_ROLE,
} from "@/lib/ledger/provisional";
import type { Receipt } from "@/lib/ledger/receipt";

/** Anvil's development account #5: funded on every anvil, used by no part of the app. */
export const ATTACKER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

export type LeafInput = { playerId: string; salt: Uint8Array; valueCents: number; entryId: string };

export function leafData(input: LeafInput): Uint8Array {
  return encodeLeaf({
    kind: "redemption",
    entryId: input.entryId,
    prizeId: "a0b1c2d3-e4f5-4a6b-9c8d-7e6f5a4b3c2d",
    dropId: null,
    valueCents: input.valueCents,
    timeMs: 1_763_700_000_000,
    playerCommitment: playerCommitment(input.playerId, input.salt),
  });
}

/**
 * Anchors `leaves` as the first checkpoint of the (empty) ledger at `contract` with `signer`'s
 * anchorer role, and returns a receipt for each, as the operator's API would issue them.
 */
export async function anchorFirstCheckpoint(
  signer: Signer,
  provider: Provider,
  contract: string,
  leaves: LeafInput[],
): Promise<Receipt[]> {
  const log = new MemoryLog();
  const data = leaves.map(leafData);
  for (const leaf of data) log.append(leaf);
  const ledger = new Contract(contract, LEDGER_ABI, signer);
  const tx = await ledger.getFunction("appendCheckpoint")(log.size, toHex(log.root()), []);
  const mined = await tx.wait();
  const block = await provider.getBlock(mined.blockNumber);
  if (!block) throw new Error("anchoring block not found");
  const { chainId } = await provider.getNetwork();
  return leaves.map((leaf, index) => ({
    version: 1,
    status: "anchored",
    leaf: {
      index,
      data: toHex(data[index] as Uint8Array),
      salt: toHex(leaf.salt),
      playerId: leaf.playerId,
    },
    inclusionProof: log.inclusionProof(index).map(toHex),
    checkpoint: { treeSize: log.size, rootHash: toHex(log.root()) },
    anchor: {
      chainId: Number(chainId),
      contract,
      txHash: mined.hash as string,
      blockNumber: mined.blockNumber as number,
      blockTime: block.timestamp,
    },
  }));
}

/**
 * What anyone can do on the operator's chain: deploy a RedemptionLedger of their own, holding
 * every role on it, including the receipt-signer role for their own key.
 */
export async function deployLookAlikeLedger(
  provider: Provider,
): Promise<{ contract: string; attacker: Signer }> {
  const attacker = new NonceManager(new Wallet(ATTACKER_KEY, provider));
  const self = await attacker.getAddress();
  const { address: contract } = await deployLedger(attacker, self, self);
  const ledger = new Contract(contract, LEDGER_ABI, attacker);
  await (await ledger.getFunction("grantRole")(RECEIPT_SIGNER_ROLE, self)).wait();
  return { contract, attacker };
}

/** A provisional receipt for `leaf`, signed by `key`, promising anchoring on `contract`. */
export async function signedProvisionalReceipt(
  key: string,
  chainId: number,
  contract: string,
  leaf: LeafInput,
  anchorBy: number,
): Promise<ProvisionalReceipt> {
  const data = leafData(leaf);
  const wallet = new Wallet(key);
  const promise = { chainId, contract, anchorBy };
  const signature = await wallet.signMessage(
    promiseMessage({ ...promise, leafHash: toHex(leafHash(data)) }),
  );
  return {
    version: 1,
    status: "pending",
    leaf: { index: null, data: toHex(data), salt: toHex(leaf.salt), playerId: leaf.playerId },
    promise: { ...promise, signer: wallet.address, signature },
  };
}
