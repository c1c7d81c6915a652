/**
 * A second web instance of the e2e installation (`npm run web`, scripts/web.ts): the stack's own
 * database, chain and secrets, as an operator would give them, plus what a spec sets.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "@playwright/test";
import { codeKeyEnvironment } from "../lib/codes/code-crypto";
import { CHAIN_ID, DEV_ANCHORER_KEY, DEV_RECEIPT_KEY } from "../scripts/lib/embedded-chain";
import { embeddedPostgresUrl } from "../scripts/lib/embedded-postgres";
import { CHAIN_RPC_URL, E2E_DATA_DIR, E2E_PG_PORT, E2E_WEB_PORT } from "./constants";

/** What an operator gives `npm run web`: the e2e stack's own database, chain and secrets. */
function productionEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { contract, deploymentBlock } = JSON.parse(
    fs.readFileSync(path.join(E2E_DATA_DIR, "chain", "ledger.json"), "utf8"),
  ) as { contract: string; deploymentBlock: number };
  return {
    ...process.env,
    PRIZELEDGER_DATA_DIR: E2E_DATA_DIR,
    NEXT_DIST_DIR: ".next-e2e",
    PORT: String(E2E_WEB_PORT),
    DATABASE_URL: embeddedPostgresUrl(E2E_PG_PORT),
    AUTH_SECRET: fs.readFileSync(path.join(E2E_DATA_DIR, "auth-secret"), "utf8").trim(),
    PAYMENT_WEBHOOK_SECRET: fs
      .readFileSync(path.join(E2E_DATA_DIR, "payment-webhook-secret"), "utf8")
      .trim(),
    ...codeKeyEnvironment({}, E2E_DATA_DIR),
    LEDGER_RPC_URL: CHAIN_RPC_URL,
    LEDGER_CONTRACT: contract,
    ANCHORER_KEY: DEV_ANCHORER_KEY,
    LEDGER_CHAIN_ID: String(CHAIN_ID),
    LEDGER_DEPLOYMENT_BLOCK: String(deploymentBlock),
    LEDGER_PUBLIC_RPC_URL: CHAIN_RPC_URL,
    RECEIPT_SIGNING_KEY: DEV_RECEIPT_KEY,
    SIGN_IN_RATE_LIMIT: "1000",
    SMTP_URL: "",
    MAIL_CAPTURE: "",
    ...extra,
  };
}

/** `npm run web`, in a process group of its own so that stopping it stops Next.js too. */
export function startWeb(extra: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["dist/web.mjs"], {
    env: productionEnvironment(extra),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
}

/**
 * Starts an instance and waits until it answers on `url` (the stack's E2E_WEB_PORT unless `extra`
 * sets PORT); `stop` ends it, Next.js and all.
 */
export async function runningWeb(
  extra: Record<string, string>,
  url: string,
): Promise<{ stop: () => Promise<void> }> {
  const web = startWeb(extra);
  const exited = new Promise((resolve) => web.on("exit", resolve));
  web.stdout?.resume();
  web.stderr?.resume();
  const stop = async () => {
    if (web.pid && web.exitCode === null) process.kill(-web.pid, "SIGTERM");
    await exited;
  };
  try {
    await expect
      .poll(
        async () => {
          const res = await fetch(`${url}/api/health`).catch(() => undefined);
          return res?.status ?? 0;
        },
        { message: "npm run web answers", timeout: 90_000 },
      )
      .toBe(200);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
