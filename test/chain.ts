import fs from "node:fs";
import path from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll } from "vitest";
import type { LedgerChain } from "@/lib/anchoring/anchor-checkpoint";
import type { TrustRoot } from "@/lib/ledger/identity";
import { connectLedgerChain } from "@/lib/ledger/ledger-chain";
import { DEV_RECEIPT_KEY, startEmbeddedChain } from "@/scripts/lib/embedded-chain";
import { freePort } from "@/scripts/lib/free-port";

/** `trust` pins the test's ledger as /verify pins this site's: its chain, contract and signer. */
export type TestChain = LedgerChain & {
  rpcUrl: string;
  deploymentBlock: number;
  trust: TrustRoot;
  /** The prize token (PLT) and the key of the treasury holding its supply. */
  prizeToken: string;
  treasuryKey: string;
};

/**
 * A real local chain (anvil) with the ledger contract deployed for the test file that calls this
 * at its top level: started before its tests, stopped after them. The returned object is filled
 * in once the chain is up (use it inside tests and hooks, not at import time).
 */
export function connectTestChain(): TestChain {
  const chain = {} as TestChain;
  let stop = async () => {};
  beforeAll(async () => {
    const dir = path.resolve(".data", "test", `chain-${process.pid}-${Date.now()}`);
    const started = await startOnFreePort(dir);
    const connected = await connectLedgerChain(
      started.rpcUrl,
      started.contract,
      started.anchorerKey,
    );
    const trust: TrustRoot = {
      chainId: connected.chainId,
      contract: started.contract,
      receiptSigners: [new Wallet(DEV_RECEIPT_KEY).address],
      source: "the test chain",
    };
    Object.assign(chain, connected, {
      rpcUrl: started.rpcUrl,
      deploymentBlock: started.deploymentBlock,
      trust,
      prizeToken: started.prizeToken,
      treasuryKey: started.treasuryKey,
    });
    stop = async () => {
      connected.close();
      await started.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }, 120_000);
  afterAll(() => stop());
  return chain;
}

/**
 * A port the OS called free may be taken by another test file's chain before anvil binds it (files
 * run in parallel): the start then fails, and a new port is tried.
 */
async function startOnFreePort(dir: string, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmbeddedChain(dir, await freePort());
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}
