import "server-only";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ContractFactory, type InterfaceAbi, parseUnits, type Signer } from "ethers";
import { TOKEN_DECIMALS } from "./model";

export const TOKEN_ARTIFACT = "artifacts/contracts/PrizeToken.sol/PrizeToken.json";

export type TokenSpec = { name: string; symbol: string; supply: string };

/** The embedded installation's token: what the demo's crypto prizes name. */
export const DEMO_TOKEN: TokenSpec = {
  name: "Prizeledger Token",
  symbol: "PLT",
  supply: "1000000000",
};

/**
 * Deploys PrizeToken from the compiled Hardhat artifact (`npm run compile`), its whole supply
 * minted to `treasury`, and waits until it is mined.
 */
export async function deployPrizeToken(
  signer: Signer,
  treasury: string,
  spec: TokenSpec,
): Promise<{ address: string; deploymentBlock: number }> {
  const path = resolve(process.cwd(), TOKEN_ARTIFACT);
  let artifact: { abi: InterfaceAbi; bytecode: string };
  try {
    artifact = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read the prize token's artifact at ${path}; run \`npm run compile\``, {
      cause: error,
    });
  }
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const contract = await factory.deploy(
    spec.name,
    spec.symbol,
    treasury,
    parseUnits(spec.supply, TOKEN_DECIMALS),
  );
  const mined = await contract.deploymentTransaction()?.wait();
  if (!mined) throw new Error("the prize token's deployment transaction was not mined");
  return { address: await contract.getAddress(), deploymentBlock: mined.blockNumber };
}
