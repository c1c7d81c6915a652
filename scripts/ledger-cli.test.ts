import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisionalReceipt } from "@/lib/ledger/provisional";
import type { Receipt } from "@/lib/ledger/receipt";
import { DEV_RECEIPT_KEY } from "@/scripts/lib/embedded-chain";
import { connectTestChain } from "@/test/chain";
import {
  ATTACKER_KEY,
  anchorFirstCheckpoint,
  deployLookAlikeLedger,
  type LeafInput,
  signedProvisionalReceipt,
} from "@/test/receipts";
import { tsxArgs } from "./lib/runtime";

const run = promisify(execFile);
const chain = connectTestChain();

type Outcome = { code: number; out: string };

/**
 * Runs `npm run verify`/`npm run audit` as a user would, inside an embedded installation whose
 * data directory is `dataDir`, with no LEDGER_* settings of the test process leaking in.
 */
async function cli(script: string, args: string[], dataDir: string): Promise<Outcome> {
  const port = new URL(chain.rpcUrl).port;
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      tsxArgs(`scripts/${script}.ts`, ...args),
      {
        timeout: 60_000,
        env: {
          NODE_ENV: "test",
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PRIZELEDGER_DATA_DIR: dataDir,
          EMBEDDED_CHAIN_PORT: port,
        },
      },
    );
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

const leaf: LeafInput = {
  playerId: "0b7e2c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d",
  salt: Uint8Array.from(randomBytes(32)),
  valueCents: 2_500,
  entryId: "0190f3a2-7b1c-7d4e-8f00-000000000001",
};
const madeUp: LeafInput = {
  ...leaf,
  valueCents: 1_000_000,
  entryId: "0190f3a2-7b1c-7d4e-8f00-00000000dead",
};

let tmp: string;
let installation: string;
let empty: string;
const files: Record<string, string> = {};
let attackerContract: string;
let server: Server;
let serverUrl: string;
/** What the little HTTP server answers, by path: the identity document and a log API. */
const routes = new Map<string, string>();

function write(name: string, receipt: Receipt | ProvisionalReceipt): void {
  files[name] = path.join(tmp, `${name}.json`);
  fs.writeFileSync(files[name], JSON.stringify(receipt));
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "prizeledger-cli-"));
  // An embedded installation as `npm start` leaves it: the contract it deployed is recorded in
  // PRIZELEDGER_DATA_DIR/chain/ledger.json, the chain listens on EMBEDDED_CHAIN_PORT.
  installation = path.join(tmp, "installation");
  fs.mkdirSync(path.join(installation, "chain"), { recursive: true });
  fs.writeFileSync(
    path.join(installation, "chain", "ledger.json"),
    JSON.stringify({
      contract: chain.contractAddress,
      chainId: chain.chainId,
      deploymentBlock: chain.deploymentBlock,
    }),
  );
  empty = path.join(tmp, "empty");
  fs.mkdirSync(empty);

  const [genuine] = await anchorFirstCheckpoint(
    chain.signer,
    chain.provider,
    chain.contractAddress,
    [leaf],
  );
  const lookAlike = await deployLookAlikeLedger(chain.provider);
  attackerContract = lookAlike.contract;
  const [forged] = await anchorFirstCheckpoint(
    lookAlike.attacker,
    chain.provider,
    attackerContract,
    [madeUp],
  );
  if (!genuine || !forged) throw new Error("no receipts");
  write("genuine", genuine);
  write("forged", forged);
  const anchorBy = Math.floor(Date.now() / 1000) + 3600;
  write(
    "genuine-provisional",
    await signedProvisionalReceipt(
      DEV_RECEIPT_KEY,
      chain.chainId,
      chain.contractAddress,
      leaf,
      anchorBy,
    ),
  );
  write(
    "forged-provisional-own-contract",
    await signedProvisionalReceipt(ATTACKER_KEY, chain.chainId, attackerContract, madeUp, anchorBy),
  );
  write(
    "forged-provisional-our-contract",
    await signedProvisionalReceipt(
      ATTACKER_KEY,
      chain.chainId,
      chain.contractAddress,
      madeUp,
      anchorBy,
    ),
  );

  server = createServer((request, response) => {
    const body = routes.get(request.url ?? "");
    response.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" });
    response.end(body ?? "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("npm run verify", () => {
  it("inside an installation trusts its ledger with no flags, and refuses a look-alike's receipts", async () => {
    const genuine = await cli("verify", [files.genuine as string], installation);
    expect(genuine.out).toContain(`Trusting this installation (${installation}`);
    expect(genuine.out).toContain("Receipt verified.");
    expect(genuine.code).toBe(0);

    const forged = await cli("verify", [files.forged as string], installation);
    expect(forged.out).toContain(
      `✗ Trusted ledger: The receipt names contract ${attackerContract}`,
    );
    expect(forged.out).toContain("Receipt NOT verified (untrusted_contract).");
    expect(forged.code).toBe(1);

    const provisional = await cli("verify", [files["genuine-provisional"] as string], installation);
    expect(provisional.out).toContain("Provisional receipt verified");
    expect(provisional.code).toBe(0);
    const ownContract = await cli(
      "verify",
      [files["forged-provisional-own-contract"] as string],
      installation,
    );
    expect(ownContract.out).toContain("Receipt NOT verified (untrusted_contract).");
    expect(ownContract.code).toBe(1);
    const ourContract = await cli(
      "verify",
      [files["forged-provisional-our-contract"] as string],
      installation,
    );
    expect(ourContract.out).toContain(`signed by ${new Wallet(ATTACKER_KEY).address}`);
    expect(ourContract.out).toContain("Receipt NOT verified (untrusted_signer).");
    expect(ourContract.code).toBe(1);
  });

  it("pins the ledger the flags name, wherever it runs", async () => {
    const pin = ["--contract", chain.contractAddress, "--chain-id", String(chain.chainId)];
    const rpc = ["--rpc", chain.rpcUrl];
    const genuine = await cli("verify", [files.genuine as string, ...pin, ...rpc], empty);
    expect(genuine.out).toContain("Trusting --contract and --chain-id");
    expect(genuine.code).toBe(0);
    const forged = await cli("verify", [files.forged as string, ...pin, ...rpc], empty);
    expect(forged.out).toContain("(untrusted_contract)");
    expect(forged.code).toBe(1);
    const otherChain = await cli(
      "verify",
      [files.genuine as string, "--contract", chain.contractAddress, "--chain-id", "1", ...rpc],
      empty,
    );
    expect(otherChain.out).toContain("(untrusted_chain)");
    expect(otherChain.code).toBe(1);

    // With a signer pinned by the contract alone, the contract's role keeps the attacker out.
    const ourContract = await cli(
      "verify",
      [files["forged-provisional-our-contract"] as string, ...pin, ...rpc],
      empty,
    );
    expect(ourContract.out).toContain("does not hold the receipt-signer role");
    expect(ourContract.out).toContain("(untrusted_signer)");
    expect(ourContract.code).toBe(1);
  });

  it("pins an operator's published identity with --operator", async () => {
    routes.set(
      "/.well-known/prizeledger.json",
      JSON.stringify({
        version: 1,
        chainId: chain.chainId,
        contract: chain.contractAddress,
        deploymentBlock: chain.deploymentBlock,
        receiptSigners: [new Wallet(DEV_RECEIPT_KEY).address],
        rpcUrl: chain.rpcUrl,
      }),
    );
    const genuine = await cli("verify", [files.genuine as string, "--operator", serverUrl], empty);
    expect(genuine.out).toContain(`Trusting ${serverUrl}/.well-known/prizeledger.json`);
    expect(genuine.out).toContain(`against ${chain.rpcUrl}`);
    // Its node came from the operator too: the run says so, and how to ask another.
    expect(genuine.out).toContain("That node is the operator's own (from its document)");
    expect(genuine.out).toContain("Pass --rpc URL to ask a node you chose.");
    expect(genuine.code).toBe(0);
    const forged = await cli(
      "verify",
      [files["forged-provisional-our-contract"] as string, "--operator", serverUrl],
      empty,
    );
    expect(forged.out).toContain("(untrusted_signer)");
    expect(forged.code).toBe(1);

    routes.set("/bad.json", JSON.stringify({ version: 1, chainId: "31337" }));
    const bad = await cli(
      "verify",
      [files.genuine as string, "--operator", `${serverUrl}/bad.json`],
      empty,
    );
    expect(bad.out).toContain(`${serverUrl}/bad.json is not a Prizeledger ledger identity`);
    expect(bad.code).toBe(2);

    // A node over plain http on another host: anyone on the path could answer for it.
    routes.set(
      "/insecure.json",
      JSON.stringify({
        ...JSON.parse(routes.get("/.well-known/prizeledger.json") as string),
        rpcUrl: "http://rpc.op.example:8545",
      }),
    );
    const insecure = await cli(
      "verify",
      [files.genuine as string, "--operator", `${serverUrl}/insecure.json`],
      empty,
    );
    expect(insecure.out).toContain("http://rpc.op.example:8545 is not https");
    expect(insecure.code).toBe(2);
    const ownNode = await cli(
      "verify",
      [files.genuine as string, "--operator", `${serverUrl}/insecure.json`, "--rpc", chain.rpcUrl],
      empty,
    );
    expect(ownNode.out).toContain(`against ${chain.rpcUrl}`);
    expect(ownNode.out).not.toContain("That node is the operator's own");
    expect(ownNode.code).toBe(0);
  });

  it("refuses to guess: no installation and no flags, or two ways of naming the ledger", async () => {
    const nowhere = await cli("verify", [files.genuine as string], empty);
    expect(nowhere.out).toContain("No installation here");
    expect(nowhere.code).toBe(2);
    const both = await cli(
      "verify",
      [files.genuine as string, "--operator", serverUrl, "--contract", chain.contractAddress],
      installation,
    );
    expect(both.out).toContain("either with --operator or with --contract and --chain-id");
    expect(both.code).toBe(2);
    const halfPinned = await cli(
      "verify",
      [files.genuine as string, "--contract", chain.contractAddress],
      installation,
    );
    expect(halfPinned.out).toContain("--contract and --chain-id go together");
    expect(halfPinned.code).toBe(2);
  });
});

describe("npm run audit", () => {
  it("holds a log API that names a look-alike contract against the installation's ledger", async () => {
    // A site serving the made-up log and naming the attacker's contract for its checkpoint.
    const forged = JSON.parse(fs.readFileSync(files.forged as string, "utf8")) as Receipt;
    routes.set(
      "/api/v1/ledger/checkpoints",
      JSON.stringify({
        checkpoints: [
          {
            ...forged.checkpoint,
            chainId: forged.anchor.chainId,
            contract: forged.anchor.contract,
          },
        ],
      }),
    );
    routes.set(
      "/api/v1/ledger/leaves?start=0&end=1000",
      JSON.stringify({ leaves: [{ index: 0, data: forged.leaf.data }] }),
    );
    routes.set("/api/v1/ledger/leaves?start=1&end=1001", JSON.stringify({ leaves: [] }));

    const audit = await cli("audit", ["--url", serverUrl], installation);
    expect(audit.out).toContain(`against contract ${chain.contractAddress}`);
    expect(audit.out).toContain(
      `✗ foreign_checkpoint: API checkpoint 1 names contract ${attackerContract}`,
    );
    expect(audit.out).toContain("✗ root_mismatch");
    expect(audit.out).toContain("Audit FAILED");
    expect(audit.code).toBe(1);

    // Pinned to the look-alike on purpose, the same log passes: the pin is what decides.
    const lookAlike = await cli(
      "audit",
      ["--url", serverUrl, "--contract", attackerContract, "--chain-id", String(chain.chainId)],
      installation,
    );
    expect(lookAlike.out).toContain("Audit passed.");
    expect(lookAlike.code).toBe(0);
  });

  it("audits the --operator's own site, and reports a contract address it cannot read", async () => {
    // The operator's API names its contract with a broken checksum (one letter's case changed).
    const misspelt = chain.contractAddress.replace(/[a-f]/, (c) => c.toUpperCase());
    const genuine = JSON.parse(fs.readFileSync(files.genuine as string, "utf8")) as Receipt;
    routes.set(
      "/api/v1/ledger/checkpoints",
      JSON.stringify({
        checkpoints: [{ ...genuine.checkpoint, chainId: chain.chainId, contract: misspelt }],
      }),
    );
    routes.set(
      "/api/v1/ledger/leaves?start=0&end=1000",
      JSON.stringify({ leaves: [{ index: 0, data: genuine.leaf.data }] }),
    );
    const audit = await cli("audit", ["--operator", serverUrl], empty);
    expect(audit.out).toContain(`Auditing ${serverUrl} against contract ${chain.contractAddress}`);
    expect(audit.out).toContain("That node is the operator's own (from its document)");
    expect(audit.out).toContain(
      `✗ foreign_checkpoint: API checkpoint 1 names contract ${misspelt}`,
    );
    expect(audit.out).toContain("Audit FAILED: 1 problem(s).");
    expect(audit.code).toBe(1);
  });
});
