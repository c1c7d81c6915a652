import "server-only";
import { Contract, ContractFactory, type Signer } from "ethers";
import { LEDGER_ABI } from "./contract";
import { readLedgerArtifact } from "./ledger-artifact";
import { RECEIPT_SIGNER_ROLE } from "./provisional";

export type DeployedLedger = { address: string; deploymentBlock: number };

/**
 * Deploys RedemptionLedger from the compiled Hardhat artifact (`npm run compile`) and waits
 * until it is mined. Returns its address and block: the published ledger identity names the
 * block, so monitors know where the contract's history starts.
 */
export async function deployLedger(
  signer: Signer,
  admin: string,
  anchorer: string,
): Promise<DeployedLedger> {
  const artifact = await readLedgerArtifact();
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const contract = await factory.deploy(admin, anchorer);
  const mined = await contract.deploymentTransaction()?.wait();
  if (!mined) throw new Error("the ledger contract's deployment transaction was not mined");
  return { address: await contract.getAddress(), deploymentBlock: mined.blockNumber };
}

/**
 * Grants RECEIPT_SIGNER_ROLE to `receiptSigner` unless it holds it already: verifiers trust a
 * provisional receipt only when its signer has the role. `admin` must hold the contract's admin role.
 */
export async function grantReceiptSigner(
  admin: Signer,
  contract: string,
  receiptSigner: string,
): Promise<void> {
  const ledger = new Contract(contract, LEDGER_ABI, admin);
  if (await ledger.getFunction("hasRole")(RECEIPT_SIGNER_ROLE, receiptSigner)) return;
  await (await ledger.getFunction("grantRole")(RECEIPT_SIGNER_ROLE, receiptSigner)).wait();
}
