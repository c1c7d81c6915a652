import "server-only";
import { Wallet } from "ethers";
import { env } from "@/lib/config/env";
import { fromHex, leafHash, toHex } from "./merkle";
import { type ProvisionalPromise, promiseMessage } from "./provisional";

type PendingLeaf = { index: number | null; data: string; salt: string; playerId: string };

let wallet: Wallet | undefined;

/**
 * The operator's signed promise to anchor a leaf by claim time + ANCHOR_DEADLINE_SECONDS, or
 * undefined where no receipt-signing key is configured (tests of other parts).
 */
export async function signAnchoringPromise(
  leaf: PendingLeaf,
  claimedAtMs: number,
): Promise<ProvisionalPromise | undefined> {
  const config = env();
  if (!config.RECEIPT_SIGNING_KEY || !config.LEDGER_CONTRACT || !config.LEDGER_CHAIN_ID) {
    return undefined;
  }
  wallet ??= new Wallet(config.RECEIPT_SIGNING_KEY);
  const anchorBy = Math.floor(claimedAtMs / 1000) + config.ANCHOR_DEADLINE_SECONDS;
  const promise = {
    chainId: config.LEDGER_CHAIN_ID,
    contract: config.LEDGER_CONTRACT,
    anchorBy,
  };
  const signature = await wallet.signMessage(
    promiseMessage({ ...promise, leafHash: toHex(leafHash(fromHex(leaf.data))) }),
  );
  return { ...promise, signer: wallet.address, signature };
}
