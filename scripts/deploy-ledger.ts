/**
 * `npm run deploy:ledger -- --admin 0x… --anchorer 0x…`: deploys the ledger contract to the node at
 * LEDGER_RPC_URL, paid by DEPLOYER_KEY, and prints what to set as LEDGER_CHAIN_ID, LEDGER_CONTRACT
 * and LEDGER_DEPLOYMENT_BLOCK (the published ledger identity names all three).
 */
import { parseArgs } from "node:util";
import { isAddress, NonceManager, Wallet } from "ethers";
import { deployLedger } from "../lib/ledger/deploy";
import { jsonRpcProvider } from "../lib/services/json-rpc";
import { ensureContractsCompiled } from "./lib/runtime";

const { values } = parseArgs({
  options: { admin: { type: "string" }, anchorer: { type: "string" }, rpc: { type: "string" } },
});
const rpc = values.rpc ?? process.env.LEDGER_RPC_URL;
const key = process.env.DEPLOYER_KEY;
const problems = [
  !rpc && "LEDGER_RPC_URL (or --rpc) is required",
  !key?.match(/^0x[0-9a-fA-F]{64}$/) && "DEPLOYER_KEY must be a 0x-prefixed 32-byte private key",
  !isAddress(values.admin ?? "") && "--admin must be the address that will administer roles",
  !isAddress(values.anchorer ?? "") && "--anchorer must be the address of ANCHORER_KEY",
].filter(Boolean);
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}

await ensureContractsCompiled((line) => console.log(line));
const provider = jsonRpcProvider(rpc as string);
const deployer = new NonceManager(new Wallet(key as string, provider));
const { address, deploymentBlock } = await deployLedger(
  deployer,
  values.admin as string,
  values.anchorer as string,
);
const { chainId } = await provider.getNetwork();
console.log(
  `RedemptionLedger deployed on chain ${chainId}\nLEDGER_CHAIN_ID=${chainId}\nLEDGER_CONTRACT=${address}\nLEDGER_DEPLOYMENT_BLOCK=${deploymentBlock}`,
);
provider.destroy();
