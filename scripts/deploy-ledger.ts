/**
 * `npm run deploy:ledger -- --admin 0x… --anchorer 0x… [--receipt-signer 0x…]`: deploys the ledger
 * contract to the node at LEDGER_RPC_URL, paid by DEPLOYER_KEY, and prints what to set as
 * LEDGER_CONTRACT, LEDGER_CHAIN_ID and LEDGER_DEPLOYMENT_BLOCK (the published ledger identity
 * names all three).
 */
import { parseArgs } from "node:util";
import { getAddress, isAddress, NonceManager, Wallet } from "ethers";
import { deployLedger, grantReceiptSigner } from "../lib/ledger/deploy";
import { jsonRpcProvider } from "../lib/ledger/json-rpc";

const { values } = parseArgs({
  options: {
    admin: { type: "string" },
    anchorer: { type: "string" },
    "receipt-signer": { type: "string" },
    rpc: { type: "string" },
  },
});
const rpc = values.rpc ?? process.env.LEDGER_RPC_URL;
const key = process.env.DEPLOYER_KEY;
const validKey = /^0x[0-9a-fA-F]{64}$/.test(key ?? "");
const receiptSigner = values["receipt-signer"];
// Only the admin may grant a role: granting it here needs the deployer to be that admin.
const deployerIsAdmin =
  validKey &&
  isAddress(values.admin ?? "") &&
  new Wallet(key as string).address === getAddress(values.admin as string);
const problems = [
  !rpc && "LEDGER_RPC_URL (or --rpc) is required",
  !validKey && "DEPLOYER_KEY must be a 0x-prefixed 32-byte private key",
  !isAddress(values.admin ?? "") && "--admin must be the address that will administer roles",
  !isAddress(values.anchorer ?? "") && "--anchorer must be the address of ANCHORER_KEY",
  receiptSigner !== undefined &&
    !isAddress(receiptSigner) &&
    "--receipt-signer must be the address of RECEIPT_SIGNING_KEY",
  receiptSigner !== undefined &&
    validKey &&
    isAddress(values.admin ?? "") &&
    !deployerIsAdmin &&
    "--receipt-signer needs DEPLOYER_KEY to be the --admin account (otherwise the admin grants RECEIPT_SIGNER_ROLE itself)",
].filter(Boolean);
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}

const provider = jsonRpcProvider(rpc as string);
const deployer = new NonceManager(new Wallet(key as string, provider));
const { address, deploymentBlock } = await deployLedger(
  deployer,
  values.admin as string,
  values.anchorer as string,
);
const { chainId } = await provider.getNetwork();
// The address comes first: should the grant fail, the contract exists all the same.
console.log(
  `RedemptionLedger deployed on chain ${chainId}\nLEDGER_CONTRACT=${address}\nLEDGER_CHAIN_ID=${chainId}\nLEDGER_DEPLOYMENT_BLOCK=${deploymentBlock}`,
);
if (receiptSigner !== undefined) {
  await grantReceiptSigner(deployer, address, receiptSigner);
  console.log(`RECEIPT_SIGNER_ROLE granted to ${getAddress(receiptSigner)}`);
}
provider.destroy();
