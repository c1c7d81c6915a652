import "server-only";
import { Contract, JsonRpcProvider, Network } from "ethers";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { fromHex } from "@/lib/ledger/merkle";
import type { ChainAnchors, ChainRoot } from "./witness";

const ZERO_ROOT = `0x${"0".repeat(64)}`;
/** Longer than a healthy node takes, short enough that the log's request does not time out first. */
const CALL_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * How deep a checkpoint must be before the witness vouches that the contract holds it. 1 reads
 * the latest block, as `npm start`'s chain (anvil) needs: it makes a block only per transaction,
 * and its "safe" and "finalized" stay 32 and 64 blocks behind it forever. On a public chain give
 * more (`--confirmations`, README "Run a witness"), so a reorganisation cannot remove it.
 */
export const DEFAULT_CONFIRMATIONS = 1;

/** ethers' error for a call that returned no data: no contract at that block yet. */
function isNoContract(error: unknown): boolean {
  const { code, value } = error as { code?: string; value?: string };
  return code === "BAD_DATA" && value === "0x";
}

/**
 * The pinned contract's `checkpointAt(size)` on the node at `rpcUrl`, read `confirmations`
 * blocks deep (1: the latest block). The node's chain id is
 * asked on every call: a node that answers for another chain is as good as no node (the witness
 * fails closed). The network is given, not detected, so a node that is down at start is no error.
 */
export function contractAnchors(
  rpcUrl: string,
  pin: { chainId: number; contract: string },
  confirmations = DEFAULT_CONFIRMATIONS,
): ChainAnchors & { close: () => void } {
  const network = Network.from(pin.chainId);
  const provider = new JsonRpcProvider(rpcUrl, network, {
    staticNetwork: network,
    cacheTimeout: -1,
  });
  const contract = new Contract(pin.contract, LEDGER_ABI, provider);
  async function read(size: number): Promise<ChainRoot> {
    const chainId = Number(await provider.send("eth_chainId", []));
    if (chainId !== pin.chainId) {
      return {
        kind: "unreachable",
        reason: `the node at ${rpcUrl} serves chain ${chainId}, not the pinned chain ${pin.chainId}`,
      };
    }
    const blockTag = (await provider.getBlockNumber()) - (confirmations - 1);
    const absent: ChainRoot = { kind: "absent", confirmations };
    if (blockTag < 0) return absent;
    let root: string;
    try {
      [root] = (await contract.getFunction("checkpointAt")(size, { blockTag })) as [string, bigint];
    } catch (error) {
      if (isNoContract(error)) return absent;
      throw error;
    }
    return root === ZERO_ROOT ? absent : { kind: "anchored", root: fromHex(root) };
  }
  return {
    async rootAt(size) {
      try {
        return await withTimeout(read(size), CALL_TIMEOUT_MS);
      } catch (error) {
        return { kind: "unreachable", reason: (error as Error).message.slice(0, 200) };
      }
    },
    close: () => provider.destroy(),
  };
}
