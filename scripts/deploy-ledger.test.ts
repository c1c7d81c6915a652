import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Contract, Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { RECEIPT_SIGNER_ROLE } from "@/lib/ledger/provisional";
import { DEV_ADMIN_KEY } from "@/scripts/lib/embedded-chain";
import { connectTestChain } from "@/test/chain";
import { tsxArgs } from "./lib/runtime";

const chain = connectTestChain();
const admin = new Wallet(DEV_ADMIN_KEY).address;
const receiptSigner = Wallet.createRandom().address;

function deploy(deployerKey: string, ...args: string[]) {
  return promisify(execFile)(process.execPath, tsxArgs("scripts/deploy-ledger.ts", ...args), {
    env: { ...process.env, LEDGER_RPC_URL: chain.rpcUrl, DEPLOYER_KEY: deployerKey },
  });
}

describe("npm run deploy:ledger", () => {
  // Verifiers trust a provisional receipt only when its signer holds the role, and an operator
  // has no other command to grant it.
  it("grants RECEIPT_SIGNER_ROLE to --receipt-signer and prints what the web needs", async () => {
    const anchorer = await chain.signer.getAddress();
    const { stdout } = await deploy(
      DEV_ADMIN_KEY,
      ...["--admin", admin, "--anchorer", anchorer, "--receipt-signer", receiptSigner],
    );
    const contract = stdout.match(/^LEDGER_CONTRACT=(0x[0-9a-fA-F]{40})$/m)?.[1] as string;
    expect(stdout).toMatch(/^LEDGER_CHAIN_ID=31337$/m);
    const ledger = new Contract(contract, LEDGER_ABI, chain.signer.provider);
    expect(await ledger.getFunction("hasRole")(RECEIPT_SIGNER_ROLE, receiptSigner)).toBe(true);
  });

  it("refuses --receipt-signer before deploying when the deployer is not the admin", async () => {
    const other = Wallet.createRandom();
    const run = deploy(
      other.privateKey,
      ...["--admin", admin, "--anchorer", admin, "--receipt-signer", receiptSigner],
    );
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("--receipt-signer needs DEPLOYER_KEY to be the --admin"),
    });
  });
});
