import "server-only";
import { type AbstractProvider, Contract, Wallet } from "ethers";
import { jsonRpcProvider } from "@/lib/ledger/json-rpc";
import { PRIZE_TOKEN_ABI } from "./model";

/** The treasury's view of the chain: the only key the payouts use, and the token it pays in. */
export type PayoutChain = {
  provider: AbstractProvider;
  treasury: Wallet;
  token: string;
  chainId: number;
  /** The deployed token's symbol: a crypto prize naming another is not paid. */
  symbol: string;
  /**
   * Sends a signed transaction; the provider's broadcastTransaction unless a test stands in
   * (to crash just before or just after it).
   */
  broadcast: (rawTx: string) => Promise<unknown>;
};

/** Connects the treasury's key to the node and reads the token's chain id and symbol. */
export async function connectPayoutChain(
  rpcUrl: string,
  tokenAddress: string,
  treasuryKey: string,
): Promise<PayoutChain & { close: () => void }> {
  const provider = jsonRpcProvider(rpcUrl);
  try {
    const network = await provider.getNetwork();
    if ((await provider.getCode(tokenAddress)) === "0x") {
      throw new Error(`PRIZE_TOKEN_CONTRACT ${tokenAddress} has no code on ${rpcUrl}`);
    }
    const symbol = (await new Contract(tokenAddress, PRIZE_TOKEN_ABI, provider).getFunction(
      "symbol",
    )()) as string;
    return {
      provider,
      treasury: new Wallet(treasuryKey, provider),
      token: tokenAddress,
      chainId: Number(network.chainId),
      symbol,
      broadcast: (rawTx) => provider.broadcastTransaction(rawTx),
      close: () => provider.destroy(),
    };
  } catch (error) {
    provider.destroy();
    throw error;
  }
}
