import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { InterfaceAbi } from "ethers";

export const LEDGER_ARTIFACT = "artifacts/contracts/RedemptionLedger.sol/RedemptionLedger.json";

export type LedgerArtifact = { abi: InterfaceAbi; bytecode: string };

/**
 * The compiled ledger contract from Hardhat's artifacts (`npm run compile`). A production host has
 * no Hardhat: the bundles `npm run build` makes replace this module with the artifact itself
 * (scripts/lib/bundle.ts).
 */
export async function readLedgerArtifact(): Promise<LedgerArtifact> {
  const path = resolve(process.cwd(), LEDGER_ARTIFACT);
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(
      `cannot read the ledger contract artifact at ${path}; run \`npm run compile\``,
      {
        cause: error,
      },
    );
  }
}
