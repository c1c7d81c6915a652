import "server-only";
import { Wallet } from "ethers";
import type { LedgerChain } from "@/lib/anchoring/anchor-checkpoint";
import { jsonRpcProvider } from "./json-rpc";

/**
 * Connects to the ledger node with the anchorer's key; the chain id is read from the node. The
 * default confirmation timeout is ANCHOR_TX_TIMEOUT_MS's.
 */
export async function connectLedgerChain(
  rpcUrl: string,
  contractAddress: string,
  anchorerKey: string,
  confirmTimeoutMs = 60_000,
): Promise<LedgerChain & { close: () => void }> {
  const provider = jsonRpcProvider(rpcUrl);
  const network = await provider.getNetwork();
  const code = await provider.getCode(contractAddress);
  if (code === "0x") {
    provider.destroy();
    throw new Error(`LEDGER_CONTRACT ${contractAddress} has no code on ${rpcUrl}`);
  }
  return {
    provider,
    // The node says which nonce is next at each send: a nonce counted here would run ahead of the
    // node whenever a send fails before reaching it (the node is down), and every later
    // transaction would wait forever behind the gap. One anchorer sends at a time (its lock).
    signer: new Wallet(anchorerKey, provider),
    contractAddress,
    chainId: Number(network.chainId),
    confirmTimeoutMs,
    close: () => provider.destroy(),
  };
}
