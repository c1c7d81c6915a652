/**
 * Why a chain node could not be asked, told apart for the person who typed its address: nothing
 * answered there, or something answered that is not an Ethereum JSON-RPC node. (A node of the
 * wrong chain, or one without the ledger contract, answers fine: the verifiers say those apart.)
 * Browser-safe: the browser's fetch and Node's http fail differently, ethers passes both on.
 */

export type NodeFailure = { kind: "unreachable" | "not_evm"; detail: string };

type EthersLike = {
  code?: unknown;
  shortMessage?: unknown;
  message?: unknown;
  info?: { responseStatus?: unknown };
  error?: { message?: unknown };
};

const NOT_A_NODE = "the address answered, but not as an Ethereum JSON-RPC node";

export function classifyNodeFailure(error: unknown): NodeFailure {
  const e = (error ?? {}) as EthersLike;
  const said = String(e.shortMessage ?? e.message ?? error);
  switch (e.code) {
    case "SERVER_ERROR":
      if (e.info?.responseStatus) {
        return { kind: "not_evm", detail: `${NOT_A_NODE} (HTTP ${e.info.responseStatus})` };
      }
      break;
    case "UNSUPPORTED_OPERATION":
    case "BAD_DATA":
      return { kind: "not_evm", detail: `${NOT_A_NODE} (${said})` };
    case "UNKNOWN_ERROR":
    case "CALL_EXCEPTION":
      return {
        kind: "not_evm",
        detail: `${NOT_A_NODE}: it refused eth_chainId (${String(e.error?.message ?? said)})`,
      };
    case "TIMEOUT":
      return { kind: "unreachable", detail: "the node did not answer in time" };
  }
  // A chain id that is not a hex number: something JSON-RPC-like, but not an EVM node.
  if (error instanceof SyntaxError) return { kind: "not_evm", detail: `${NOT_A_NODE} (${said})` };
  return {
    kind: "unreachable",
    detail: `nothing answered at that address (${said}): check it; the node may be down, or may not let this page ask it (CORS)`,
  };
}

/** The node is of the trusted chain, yet the trusted contract has no code on it. */
export function noContractDetail(contract: string, chainId: number): string {
  return `There is no contract at ${contract} on chain ${chainId}: the node is on the right chain, but the ledger is not deployed on it (another network with the same chain id, or a chain that was reset).`;
}
