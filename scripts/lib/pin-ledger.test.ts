import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { installationLedger, pinLedger } from "./pin-ledger";

const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "prizeledger-pin-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function installation(record: unknown): string {
  const dir = fs.mkdtempSync(path.join(tmp, "data-"));
  fs.mkdirSync(path.join(dir, "chain"));
  fs.writeFileSync(path.join(dir, "chain", "ledger.json"), JSON.stringify(record));
  return dir;
}

describe("the installation's ledger", () => {
  it("reads an embedded record, including one written before deployment blocks were kept", () => {
    const dir = installation({ contract: CONTRACT.toLowerCase(), chainId: 31337 });
    const pinned = installationLedger(
      parseEnv({ PRIZELEDGER_DATA_DIR: dir, EMBEDDED_CHAIN_PORT: "9545" }),
    );
    expect(pinned.trust).toMatchObject({ chainId: 31337, contract: CONTRACT });
    expect(pinned.deploymentBlock).toBe(0);
    expect(pinned.rpcUrl).toBe("http://127.0.0.1:9545");
  });

  it("refuses a record that is not one, and LEDGER_CONTRACT without its chain", async () => {
    const dir = installation({ contract: "0x12", chainId: 31337 });
    expect(() => installationLedger(parseEnv({ PRIZELEDGER_DATA_DIR: dir }))).toThrow(
      /is not a ledger record/,
    );
    await expect(
      pinLedger(
        {},
        parseEnv({
          LEDGER_RPC_URL: "http://127.0.0.1:8545",
          LEDGER_CONTRACT: CONTRACT,
          ANCHORER_KEY: `0x${"1".repeat(64)}`,
        }),
      ),
    ).rejects.toThrow(/LEDGER_CHAIN_ID is not/);
    await expect(
      pinLedger({ chainId: "0x7a69", contract: CONTRACT }, parseEnv({})),
    ).rejects.toThrow(/--chain-id must be a positive integer/);
  });
});

describe("an operator's published identity", () => {
  const serve = (rpcUrl: string) => async () =>
    new Response(
      JSON.stringify({
        version: 1,
        chainId: 31337,
        contract: CONTRACT,
        deploymentBlock: 3,
        receiptSigners: [],
        rpcUrl,
      }),
    );

  it("uses its https or local node, and says where its log is", async () => {
    const pinned = await pinLedger(
      { operator: "https://op.example" },
      parseEnv({}),
      serve("https://rpc.op.example"),
    );
    expect(pinned).toMatchObject({
      rpcUrl: "https://rpc.op.example",
      deploymentBlock: 3,
      operatorOrigin: "https://op.example",
    });
  });

  // Anyone on the network path could answer for a plain-http node, and pass any forged receipt.
  it("refuses its plain-http node elsewhere than this machine, unless --rpc names one", async () => {
    await expect(
      pinLedger({ operator: "https://op.example" }, parseEnv({}), serve("http://rpc.op.example")),
    ).rejects.toMatchObject({ code: "insecure_operator_node" });
    const own = await pinLedger(
      { operator: "https://op.example", rpc: "https://my-node.example" },
      parseEnv({}),
      serve("http://rpc.op.example"),
    );
    expect(own.rpcUrl).toBe("https://my-node.example");
  });
});
