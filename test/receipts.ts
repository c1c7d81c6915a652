import { Contract, NonceManager, type Provider, type Signer, Wallet } from "ethers";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { deployLedger } from "@/lib/ledger/deploy";
import { type DeliveryOutcome, encodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { leafHash, MemoryLog, toHex } from "@/lib/ledger/merkle";
import {
  batchPromiseMessage,
  type ProvisionalReceipt,
  promiseBatch,
  promiseLeafHash,
  RECEIPT_SIGNER_ROLE,
} from "@/lib/ledger/provisional";
import type { Receipt } from "@/lib/ledger/receipt";

/** Anvil's development account #5: funded on every anvil, used by no part of the app. */
export const ATTACKER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

export type LeafInput = {
  playerId: string;
  salt: Uint8Array;
  valueCents: number;
  entryId: string;
  /** The delivery of redemption `entryId` with this outcome, instead of the redemption itself. */
  delivered?: DeliveryOutcome;
};

/** The nth of a set of distinct leaves, each with its own player, salt, value and entry id. */
export function numberedLeaf(n: number): LeafInput {
  const hex = n.toString(16).padStart(12, "0");
  return {
    playerId: `3f2504e0-4f89-41d3-9a0c-${hex}`,
    salt: new Uint8Array(32).fill((n % 255) + 1),
    valueCents: 100 + n,
    entryId: `0190f3a2-7b1c-7d4e-8f00-${hex}`,
  };
}

export function leafData(input: LeafInput): Uint8Array {
  if (input.delivered) {
    return encodeLeaf({
      kind: "delivery",
      entryId: input.entryId,
      timeMs: 1_763_700_060_000,
      playerCommitment: playerCommitment(input.playerId, input.salt),
      referenceHash: new Uint8Array(32).fill(7),
      outcome: input.delivered,
      provider: "shipping",
    });
  }
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

/** A provisional receipt for `leaf`, signed by `key` alone, promising anchoring on `contract`. */
export async function signedProvisionalReceipt(
  key: string,
  chainId: number,
  contract: string,
  leaf: LeafInput,
  anchorBy: number,
): Promise<ProvisionalReceipt> {
  const [receipt] = await signedProvisionalBatch(key, chainId, contract, [{ leaf, anchorBy }]);
  return receipt as ProvisionalReceipt;
}

/**
 * Provisional receipts for `promises`, in their order, under one signature by `key` over the
 * root of their batch, as the operator's API signs promises asked for together.
 */
export async function signedProvisionalBatch(
  key: string,
  chainId: number,
  contract: string,
  promises: Array<{ leaf: LeafInput; anchorBy: number }>,
): Promise<ProvisionalReceipt[]> {
  const data = promises.map(({ leaf }) => leafData(leaf));
  const { root, batches } = promiseBatch(
    promises.map(({ anchorBy }, i) => promiseLeafHash(leafHash(data[i] as Uint8Array), anchorBy)),
  );
  const wallet = new Wallet(key);
  const signature = await wallet.signMessage(
    batchPromiseMessage({ chainId, contract, root, size: promises.length }),
  );
  return promises.map(({ leaf, anchorBy }, i) => ({
    version: 1,
    status: "pending",
    leaf: {
      index: null,
      data: toHex(data[i] as Uint8Array),
      salt: toHex(leaf.salt),
      playerId: leaf.playerId,
    },
    promise: {
      chainId,
      contract,
      anchorBy,
      batch: batches[i],
      signer: wallet.address,
      signature,
    },
  }));
}
