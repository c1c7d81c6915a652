import fs from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll } from "vitest";
import type { LedgerChain } from "@/lib/anchoring/anchor-checkpoint";
import { startEmbeddedChain } from "@/lib/services/embedded-chain";
import { connectLedgerChain } from "@/lib/services/ledger-chain";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** A real local chain (anvil) with the ledger contract deployed, stopped after the file's tests. */
export async function startTestChain(): Promise<LedgerChain & { rpcUrl: string }> {
  const dir = path.resolve(".data", "test", `chain-${process.pid}-${Date.now()}`);
  const chain = await startEmbeddedChain(dir, await freePort());
  const connected = await connectLedgerChain(chain.rpcUrl, chain.contract, chain.anchorerKey);
  afterAll(async () => {
    connected.close();
    await chain.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { ...connected, rpcUrl: chain.rpcUrl };
}
