import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { NonceManager, Wallet } from "ethers";
import { z } from "zod";
import { EMBEDDED_CHAIN_ID } from "@/lib/config/env";
import { deployLedger, grantReceiptSigner } from "@/lib/ledger/deploy";
import { jsonRpcProvider } from "@/lib/ledger/json-rpc";
import { DEMO_TOKEN, deployPrizeToken } from "@/lib/payouts/deploy-token";

/** Anvil's well-known development accounts (from its default mnemonic): never use them on a real network. */
export const DEV_ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const DEV_RECEIPT_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
export const CHAIN_ID = EMBEDDED_CHAIN_ID;
export const DEV_ANCHORER_KEY =
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
/** Anvil's fourth account: the treasury that holds the prize token and pays crypto prizes. */
export const DEV_TREASURY_KEY =
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

export type EmbeddedChain = {
  rpcUrl: string;
  contract: string;
  deploymentBlock: number;
  anchorerKey: string;
  /** The prize token, its whole supply held by the treasury (DEV_TREASURY_KEY). */
  prizeToken: string;
  treasuryKey: string;
  stop: () => Promise<void>;
};

/**
 * The platform binary itself, not the npm wrapper script: the wrapper exits on SIGTERM before
 * the node does, which would leave the node running after `npm start` stops.
 */
export function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const require = createRequire(import.meta.url);
  return require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/anvil`);
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitForRpc(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the local chain exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the local chain did not answer on ${url} within ${timeoutMs} ms`);
}

/**
 * Starts anvil with its state saved to `dir/state.json` every second (and on exit), and deploys the
 * ledger contract the first time, remembering it in `dir/ledger.json` (see readEmbeddedLedger).
 */
export async function startEmbeddedChain(
  dir: string,
  port: number,
  log: (line: string) => void = () => {},
): Promise<EmbeddedChain> {
  const stateDir = path.resolve(dir);
  fs.mkdirSync(stateDir, { recursive: true });
  const stateFile = path.join(stateDir, "state.json");
  // Something already listening there would answer our health check and take our deployment.
  if (await portInUse(port)) {
    throw new Error(
      `port ${port} is already in use (another Prizeledger or chain node?): stop it or set EMBEDDED_CHAIN_PORT`,
    );
  }
  const anvil = anvilBinary();
  const child = spawn(
    anvil,
    [
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--chain-id",
      String(CHAIN_ID),
      "--state",
      stateFile,
      "--state-interval",
      "1",
      "--silent",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  process.once("exit", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  });
  child.stderr?.on("data", (chunk: Buffer) => log(chunk.toString().trim()));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  try {
    await waitForRpc(rpcUrl, child);
    const { contract, deploymentBlock } = await ensureLedgerDeployed(rpcUrl, stateDir, log);
    const prizeToken = await ensureTokenDeployed(rpcUrl, stateDir, log);
    return {
      rpcUrl,
      contract,
      deploymentBlock,
      anchorerKey: DEV_ANCHORER_KEY,
      prizeToken,
      treasuryKey: DEV_TREASURY_KEY,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What `dir/ledger.json` remembers of the contract `npm start` deployed on the local chain. */
const ledgerRecordSchema = z.object({
  contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  chainId: z.literal(CHAIN_ID),
  // Records written before deployment blocks were kept: block 0 is a safe place to start reading.
  deploymentBlock: z.number().int().nonnegative().default(0),
});
export type EmbeddedLedgerRecord = z.infer<typeof ledgerRecordSchema>;

export const LEDGER_RECORD_FILE = "ledger.json";

/**
 * The embedded installation's ledger as `npm start` left it in `dir` (PRIZELEDGER_DATA_DIR/chain),
 * or undefined when it has not deployed one there.
 */
export function readEmbeddedLedger(dir: string): EmbeddedLedgerRecord | undefined {
  const file = path.join(path.resolve(dir), LEDGER_RECORD_FILE);
  if (!fs.existsSync(file)) return undefined;
  const parsed = ledgerRecordSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not a ledger record: ${parsed.error.message}`);
  return parsed.data;
}

async function ensureLedgerDeployed(
  rpcUrl: string,
  dir: string,
  log: (line: string) => void,
): Promise<EmbeddedLedgerRecord> {
  const provider = jsonRpcProvider(rpcUrl);
  try {
    const admin = new NonceManager(new Wallet(DEV_ADMIN_KEY, provider));
    let record = readEmbeddedLedger(dir);
    if (record && (await provider.getCode(record.contract)) === "0x") {
      log(
        `no ledger contract at ${record.contract} any more (chain state was reset): deploying anew`,
      );
      record = undefined;
    }
    if (!record) {
      const anchorer = new Wallet(DEV_ANCHORER_KEY).address;
      const deployed = await deployLedger(admin, await admin.getAddress(), anchorer);
      record = {
        contract: deployed.address,
        chainId: CHAIN_ID,
        deploymentBlock: deployed.deploymentBlock,
      };
    }
    fs.writeFileSync(path.join(dir, LEDGER_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
    // The key that signs provisional receipts must hold the role verifiers check on chain.
    await grantReceiptSigner(admin, record.contract, new Wallet(DEV_RECEIPT_KEY).address);
    return record;
  } finally {
    provider.destroy();
  }
}

const TOKEN_RECORD_FILE = "prize-token.json";
const tokenRecordSchema = z.object({
  token: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  chainId: z.literal(CHAIN_ID),
});

/**
 * Deploys the prize token the first time, its supply minted to the treasury (which pays its own
 * gas: anvil funds its accounts), and remembers it in `dir/prize-token.json`.
 */
async function ensureTokenDeployed(
  rpcUrl: string,
  dir: string,
  log: (line: string) => void,
): Promise<string> {
  const file = path.join(dir, TOKEN_RECORD_FILE);
  const provider = jsonRpcProvider(rpcUrl);
  try {
    if (fs.existsSync(file)) {
      const record = tokenRecordSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
      if ((await provider.getCode(record.token)) !== "0x") return record.token;
      log(`no prize token at ${record.token} any more (chain state was reset): deploying anew`);
    }
    const treasury = new NonceManager(new Wallet(DEV_TREASURY_KEY, provider));
    const { address } = await deployPrizeToken(treasury, await treasury.getAddress(), DEMO_TOKEN);
    fs.writeFileSync(file, `${JSON.stringify({ token: address, chainId: CHAIN_ID }, null, 2)}\n`);
    return address;
  } finally {
    provider.destroy();
  }
}
