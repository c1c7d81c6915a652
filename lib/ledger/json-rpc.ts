import { JsonRpcProvider } from "ethers";

export function jsonRpcProvider(url: string): JsonRpcProvider {
  // A static network and no call cache: back-to-back transactions otherwise see stale nonces.
  return new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
}
