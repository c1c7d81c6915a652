import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ContractFactory, type InterfaceAbi, type Signer } from "ethers";

export const LEDGER_ARTIFACT = "artifacts/contracts/RedemptionLedger.sol/RedemptionLedger.json";

/**
 * Deploys RedemptionLedger from the compiled Hardhat artifact (`npm run compile`) and waits
 * until it is mined. Returns the contract address.
 */
export async function deployLedger(
  signer: Signer,
  admin: string,
  anchorer: string,
): Promise<string> {
  const path = resolve(process.cwd(), LEDGER_ARTIFACT);
  let artifact: { abi: InterfaceAbi; bytecode: string };
  try {
    artifact = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(
      `cannot read the ledger contract artifact at ${path}; run \`npm run compile\``,
      {
        cause: error,
      },
    );
  }
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const contract = await factory.deploy(admin, anchorer);
  await contract.waitForDeployment();
  return contract.getAddress();
}
