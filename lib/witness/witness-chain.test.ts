import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Contract, type JsonRpcProvider } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { toHex } from "@/lib/ledger/merkle";
import { connectTestChain } from "@/test/chain";
import { interopEnabled, runCheck } from "@/test/interop/checker";
import { spawnService } from "@/test/spawn-service";
import { tempDir, testLog } from "@/test/witness-fixture";
import { contractAnchors } from "./chain";
import { LOCK_FILE, STATE_FILE } from "./state";

const chain = connectTestChain();
// The Go "witness" check's tree: "leaf 0" … "leaf 6", cosigned at sizes 3 and 7.
const log = testLog("log.example/witness-chain", 7);
const ANCHORED = [3, 7];
/** The block whose transaction anchored each size. */
const anchoredIn = new Map<number, number>();

async function anchorSizes(): Promise<void> {
  const contract = new Contract(chain.contractAddress, LEDGER_ABI, chain.signer);
  let onChain = 0;
  for (const size of ANCHORED) {
    const proof = onChain === 0 ? [] : log.tree.consistencyProof(onChain, size).map(toHex);
    const tx = await contract.getFunction("appendCheckpoint")(
      size,
      toHex(log.tree.root(size)),
      proof,
    );
    anchoredIn.set(size, (await tx.wait()).blockNumber);
    onChain = size;
  }
}

/** `npm run witness`, configured by its environment variables, pinned to the test's contract. */
function spawnWitness(dataDir: string, rpcUrl = chain.rpcUrl) {
  return spawnService("witness", "scripts/witness.ts", {
    WITNESS_ORIGIN: log.origin,
    WITNESS_LOG_KEY: log.vkey,
    WITNESS_CONTRACT: chain.contractAddress,
    WITNESS_CHAIN_ID: String(chain.chainId),
    WITNESS_RPC_URL: rpcUrl,
    WITNESS_PORT: "0",
    WITNESS_DATA_DIR: dataDir,
    WITNESS_NAME: "witness.chain-test",
  });
}

async function post(
  url: string,
  body: string,
): Promise<{ status: number; text: string; retryAfter: string | null }> {
  const response = await fetch(`${url}/add-checkpoint`, { method: "POST", body });
  return {
    status: response.status,
    text: await response.text(),
    retryAfter: response.headers.get("retry-after"),
  };
}

describe("the witness against a real chain", () => {
  beforeAll(anchorSizes, 60_000);

  it("reads checkpointAt from the pinned contract, and fails closed on a wrong chain or no node", async () => {
    const anchors = contractAnchors(chain.rpcUrl, {
      chainId: chain.chainId,
      contract: chain.contractAddress,
    });
    expect(await anchors.rootAt(3)).toEqual({ kind: "anchored", root: log.tree.root(3) });
    expect(await anchors.rootAt(5)).toEqual({ kind: "absent", confirmations: 1 });
    anchors.close();
    const otherChain = contractAnchors(chain.rpcUrl, {
      chainId: chain.chainId + 1,
      contract: chain.contractAddress,
    });
    expect(await otherChain.rootAt(3)).toEqual({
      kind: "unreachable",
      reason: `the node at ${chain.rpcUrl} serves chain ${chain.chainId}, not the pinned chain ${chain.chainId + 1}`,
    });
    otherChain.close();
  }, 60_000);

  it("reads the contract as many blocks deep as its confirmations say", async () => {
    const provider = chain.signer.provider as JsonRpcProvider;
    const pin = { chainId: chain.chainId, contract: chain.contractAddress };
    const head = await provider.getBlockNumber();
    const at7 = anchoredIn.get(7) as number;
    // One block short of the one that anchored 7: 3 is there, 7 not yet.
    const shallow = contractAnchors(chain.rpcUrl, pin, head - at7 + 2);
    expect(await shallow.rootAt(3)).toEqual({ kind: "anchored", root: log.tree.root(3) });
    expect(await shallow.rootAt(7)).toEqual({ kind: "absent", confirmations: head - at7 + 2 });
    await provider.send("evm_mine", []);
    expect(await shallow.rootAt(7)).toEqual({ kind: "anchored", root: log.tree.root(7) });
    shallow.close();
    // Deeper than the contract: block 0 has no contract, which is "not there yet", not an error.
    const beforeDeploy = contractAnchors(chain.rpcUrl, pin, head + 1);
    expect(await beforeDeploy.rootAt(3)).toEqual({ kind: "absent", confirmations: head + 1 });
    const beyondGenesis = contractAnchors(chain.rpcUrl, pin, head + 10);
    expect(await beyondGenesis.rootAt(3)).toMatchObject({ kind: "absent" });
    beforeDeploy.close();
    beyondGenesis.close();
  }, 60_000);

  it("as npm run witness: 503 for a size not anchored, and it stops on SIGTERM", async () => {
    const dataDir = tempDir("witness-process");
    const witness = await spawnWitness(dataDir);
    const description = await (await fetch(witness.url)).json();
    expect(description).toMatchObject({
      name: "witness.chain-test",
      logs: [{ origin: log.origin, size: 0 }],
    });
    const notYet = await post(witness.url, log.body(0, 5));
    expect(notYet).toMatchObject({ status: 503, retryAfter: "5" });
    expect(notYet.text).toMatch(/holds no checkpoint of size 5 yet/);
    const cosigned = await post(witness.url, log.body(0, 3));
    expect(cosigned.status, cosigned.text).toBe(200);
    witness.child.kill("SIGTERM");
    await witness.exited;
    expect(witness.child.exitCode).toBe(0);
    expect(
      JSON.parse(readFileSync(path.join(dataDir, STATE_FILE), "utf8")).logs[log.origin].size,
    ).toBe(3);
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  }, 120_000);

  it("answers 503 when its chain node does not answer", async () => {
    const witness = await spawnWitness(tempDir("witness-nonode"), "http://127.0.0.1:9");
    const down = await post(witness.url, log.body(0, 3));
    expect(down).toMatchObject({ status: 503, retryAfter: "5" });
    expect(down.text).toMatch(/the chain could not be read/);
    witness.child.kill("SIGTERM");
    await witness.exited;
  }, 120_000);

  describe.runIf(interopEnabled())("with Go's x/mod as the log", () => {
    it("cosigns what x/mod signs and proves; 409 and 422 as the spec says", async () => {
      const witness = await spawnWitness(tempDir("witness-interop"));
      const vkey = (await (await fetch(witness.url)).json()).vkey as string;
      const out = await runCheck(["witness", witness.url, log.skey, log.vkey, vkey]);
      expect(out.trim().split("\n")).toEqual([
        "cosigned 3 by witness.chain-test",
        "refused old 0 size 7: 409",
        "refused old 3 size 7: 422",
        "cosigned 7 by witness.chain-test",
      ]);
      witness.child.kill("SIGTERM");
      await witness.exited;
    }, 180_000);
  });
});
