import "server-only";
import { Wallet } from "ethers";
import { env } from "@/lib/config/env";
import { fromHex, type Hash, leafHash } from "./merkle";
import {
  batchPromiseMessage,
  type ProvisionalPromise,
  promiseBatch,
  promiseLeafHash,
} from "./provisional";

type PendingLeaf = { index: number | null; data: string; salt: string; playerId: string };

type SigningIdentity = { wallet: Wallet; chainId: number; contract: string };

type Request = {
  batchLeaf: Hash;
  anchorBy: number;
  resolve: (promise: ProvisionalPromise) => void;
  reject: (error: unknown) => void;
};

/**
 * Promises signed under one signature at most. A batch's tree costs about two hashes a promise,
 * against one secp256k1 signature for the lot; the bound keeps each path short (10 hashes) and
 * a burst from waiting on one huge batch.
 */
const MAX_SIGNING_BATCH = 1024;

let identity: SigningIdentity | undefined;
let waiting: Request[] = [];
let flushScheduled = false;

function signingIdentity(): SigningIdentity | undefined {
  const config = env();
  const { RECEIPT_SIGNING_KEY: key, LEDGER_CHAIN_ID: chainId, LEDGER_CONTRACT: contract } = config;
  if (!key || !contract || !chainId) return undefined;
  identity ??= { wallet: new Wallet(key), chainId, contract };
  return identity;
}

/**
 * The operator's signed promise to anchor a leaf by claim time + ANCHOR_DEADLINE_SECONDS, or
 * undefined where no receipt-signing key is configured (tests of other parts). Promises asked for
 * together (until the event loop next turns to I/O, and at most MAX_SIGNING_BATCH) share one
 * signature over the root of their batch's Merkle tree, each with its own deadline and path:
 * a secp256k1 signature for every claim was a large part of its CPU.
 */
export async function signAnchoringPromise(
  leaf: PendingLeaf,
  claimedAtMs: number,
): Promise<ProvisionalPromise | undefined> {
  const signing = signingIdentity();
  if (!signing) return undefined;
  const anchorBy = Math.floor(claimedAtMs / 1000) + env().ANCHOR_DEADLINE_SECONDS;
  // Hashed here, so that a malformed leaf or time fails its own caller rather than its batch.
  const batchLeaf = promiseLeafHash(leafHash(fromHex(leaf.data)), anchorBy);
  return new Promise((resolve, reject) => {
    waiting.push({ batchLeaf, anchorBy, resolve, reject });
    if (waiting.length >= MAX_SIGNING_BATCH) {
      void signBatch(signing, takeWaiting());
    } else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        if (waiting.length > 0) void signBatch(signing, takeWaiting());
      });
    }
  });
}

function takeWaiting(): Request[] {
  const batch = waiting;
  waiting = [];
  return batch;
}

/** Signs one batch: a failure rejects this batch's callers only, and is never left unhandled. */
async function signBatch(
  { wallet, chainId, contract }: SigningIdentity,
  batch: Request[],
): Promise<void> {
  try {
    const { root, batches } = promiseBatch(batch.map((request) => request.batchLeaf));
    const signature = await wallet.signMessage(
      batchPromiseMessage({ chainId, contract, root, size: batch.length }),
    );
    batch.forEach((request, index) => {
      request.resolve({
        chainId,
        contract,
        anchorBy: request.anchorBy,
        batch: batches[index] as (typeof batches)[number],
        signer: wallet.address,
        signature,
      });
    });
  } catch (error) {
    for (const request of batch) request.reject(error);
  }
}
