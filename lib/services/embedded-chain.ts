import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { NonceManager, Wallet } from "ethers";
import { deployLedger, grantReceiptSigner } from "@/lib/ledger/deploy";
import { jsonRpcProvider } from "./json-rpc";

/** Anvil's well-known development accounts (from its default mnemonic): never use them on a real network. */
export const DEV_ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const DEV_RECEIPT_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
export const CHAIN_ID = 31337;
export const DEV_ANCHORER_KEY =
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

export type EmbeddedChain = {
  rpcUrl: string;
  contract: string;
  anchorerKey: string;
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
 * ledger contract the first time, remembering its address in `dir/ledger.json`.
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
    const contract = await ensureLedgerDeployed(rpcUrl, path.join(stateDir, "ledger.json"), log);
    return { rpcUrl, contract, anchorerKey: DEV_ANCHORER_KEY, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function ensureLedgerDeployed(
  rpcUrl: string,
  recordFile: string,
  log: (line: string) => void,
): Promise<string> {
  const provider = jsonRpcProvider(rpcUrl);
  try {
    const admin = new NonceManager(new Wallet(DEV_ADMIN_KEY, provider));
    let contract: string | undefined;
    if (fs.existsSync(recordFile)) {
      const recorded = JSON.parse(fs.readFileSync(recordFile, "utf8")) as { contract: string };
      if ((await provider.getCode(recorded.contract)) !== "0x") contract = recorded.contract;
      else
        log(
          `no ledger contract at ${recorded.contract} any more (chain state was reset): deploying anew`,
        );
    }
    if (!contract) {
      const anchorer = new Wallet(DEV_ANCHORER_KEY).address;
      contract = await deployLedger(admin, await admin.getAddress(), anchorer);
      fs.writeFileSync(recordFile, `${JSON.stringify({ contract, chainId: CHAIN_ID }, null, 2)}\n`);
    }
    await grantReceiptSigner(admin, contract, new Wallet(DEV_RECEIPT_KEY).address);
    return contract;
  } finally {
    provider.destroy();
  }
}
