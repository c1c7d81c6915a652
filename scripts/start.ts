/**
 * `npm start`: the whole product on one machine. Uses DATABASE_URL and the LEDGER_* settings when
 * given; otherwise starts an embedded PostgreSQL and a local chain, both keeping their state in
 * PRIZELEDGER_DATA_DIR. Then migrations, demo data (embedded database only), worker and web.
 */
import path from "node:path";
import { createDb } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoAccounts, seedDemoData } from "../db/seed";
import { codeKeyEnvironment } from "../lib/codes/code-crypto";
import { productionMailProblem } from "../lib/mail/mail-capture";
import { ensureProductionBuild } from "./lib/build";
import { BUNDLE_DIR } from "./lib/bundle";
import { CHAIN_ID, DEV_RECEIPT_KEY, startEmbeddedChain } from "./lib/embedded-chain";
import { startEmbeddedPostgres } from "./lib/embedded-postgres";
import { printReadably } from "./lib/pretty-logs";
import {
  authSecret,
  ensureContractsCompiled,
  giftCardSecrets,
  loadEnvOrExit,
  paymentWebhookSecret,
  startChild,
  stopChild,
  tsxArgs,
  vapidKeyPair,
} from "./lib/runtime";
import { waitForHttp } from "./lib/wait-for-http";
import { webServerCommand } from "./lib/web-server";

const log = (line: string) => console.log(`[prizeledger] ${line}`);
const env = loadEnvOrExit("start");
// The embedded demo publishes its logins, so its captured mail is open to all as well; against an
// outside database npm start runs real accounts and is held to the rule of `npm run web`.
const mailProblem = env.DATABASE_URL ? productionMailProblem(env) : undefined;
if (mailProblem) {
  console.error(`start: ${mailProblem}`);
  process.exit(1);
}
const mailCapture =
  env.DATABASE_URL || env.SMTP_URL ? env.MAIL_CAPTURE : (env.MAIL_CAPTURE ?? "public");
const cleanups: Array<() => Promise<unknown>> = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log("stopping…");
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: Error) => log(`while stopping: ${error.message}`));
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

async function main(): Promise<void> {
  const dataDir = path.resolve(env.PRIZELEDGER_DATA_DIR);
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    log(`starting embedded PostgreSQL (data in ${path.join(dataDir, "postgres")})`);
    const pg = await startEmbeddedPostgres(path.join(dataDir, "postgres"), env.EMBEDDED_PG_PORT);
    cleanups.push(pg.stop);
    databaseUrl = pg.url;
  }
  await migrateDatabase(databaseUrl);
  if (!env.DATABASE_URL) {
    const { db, sql } = createDb(databaseUrl, 2);
    if (await seedDemoData(db)) log("seeded demo accounts, prizes and drops");
    await sql.end();
  }

  let ledger = {
    rpcUrl: env.LEDGER_RPC_URL,
    // An external node is published only as LEDGER_PUBLIC_RPC_URL names it; the embedded one is.
    publicRpcUrl: env.LEDGER_PUBLIC_RPC_URL,
    contract: env.LEDGER_CONTRACT,
    key: env.ANCHORER_KEY,
    chainId: env.LEDGER_CHAIN_ID,
    deploymentBlock: env.LEDGER_DEPLOYMENT_BLOCK,
    receiptKey: env.RECEIPT_SIGNING_KEY,
  };
  // Crypto prizes: the prize token and the treasury key paying them (docs/payouts.md).
  let payouts = { token: env.PRIZE_TOKEN_CONTRACT, treasuryKey: env.TREASURY_KEY };
  if (!ledger.rpcUrl) {
    await ensureContractsCompiled(log);
    log(`starting the local chain (state in ${path.join(dataDir, "chain")})`);
    const chain = await startEmbeddedChain(
      path.join(dataDir, "chain"),
      env.EMBEDDED_CHAIN_PORT,
      log,
    );
    cleanups.push(chain.stop);
    ledger = {
      rpcUrl: chain.rpcUrl,
      publicRpcUrl: env.LEDGER_PUBLIC_RPC_URL ?? chain.rpcUrl,
      contract: chain.contract,
      key: chain.anchorerKey,
      chainId: CHAIN_ID,
      deploymentBlock: chain.deploymentBlock,
      receiptKey: DEV_RECEIPT_KEY,
    };
    payouts = { token: chain.prizeToken, treasuryKey: chain.treasuryKey };
  }

  // The embedded payment provider, a process of its own as a real processor would be.
  const webhookSecret = paymentWebhookSecret(env);
  let paymentProviderUrl = env.PAYMENT_PROVIDER_URL;
  if (!paymentProviderUrl) {
    paymentProviderUrl = `http://localhost:${env.EMBEDDED_PAYMENTS_PORT}`;
    const provider = startChild(
      "payments",
      process.execPath,
      tsxArgs("scripts/payment-provider.ts"),
      {
        PAYMENTS_PORT: String(env.EMBEDDED_PAYMENTS_PORT),
        PAYMENT_WEBHOOK_SECRET: webhookSecret,
        PAYMENT_WEBHOOK_URL: `http://localhost:${env.PORT}/api/v1/payments/webhook`,
        PAYMENTS_STORE: path.join(dataDir, "payments", "intents.json"),
      },
    );
    cleanups.push(() => stopChild(provider.child, provider.exited));
    log(`test payment provider on ${paymentProviderUrl}`);
  }

  // The embedded gift-card provider, likewise its own process with its own storage.
  const giftCard = giftCardSecrets(env);
  let giftCardUrl = env.GIFTCARD_PROVIDER_URL;
  if (!giftCardUrl) {
    giftCardUrl = `http://127.0.0.1:${env.EMBEDDED_GIFTCARD_PORT}`;
    const provider = startChild(
      "giftcard",
      process.execPath,
      tsxArgs("scripts/giftcard-provider.ts"),
      {
        GIFTCARD_PORT: String(env.EMBEDDED_GIFTCARD_PORT),
        GIFTCARD_API_KEY: giftCard.apiKey,
        GIFTCARD_WEBHOOK_SECRET: giftCard.webhookSecret,
        GIFTCARD_WEBHOOK_URL: `http://localhost:${env.PORT}/api/v1/providers/giftcard/webhook`,
        GIFTCARD_DATA_DIR: path.join(dataDir, "giftcard"),
      },
    );
    cleanups.push(() => stopChild(provider.child, provider.exited));
    log(`local gift-card provider on ${giftCardUrl}`);
  }

  // The same built entry points as production runs, so that what the e2e suite exercises is them.
  await ensureProductionBuild(log);

  // Web Push: the public key to subscribe with for all; the private key signs, the worker's alone.
  const vapid = vapidKeyPair(env);
  const childEnv: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    LEDGER_RPC_URL: ledger.rpcUrl ?? "",
    LEDGER_CONTRACT: ledger.contract ?? "",
    ANCHORER_KEY: ledger.key ?? "",
    LEDGER_CHAIN_ID: ledger.chainId ? String(ledger.chainId) : "",
    LEDGER_DEPLOYMENT_BLOCK: ledger.deploymentBlock?.toString() ?? "",
    RECEIPT_SIGNING_KEY: ledger.receiptKey ?? "",
    LEDGER_PUBLIC_RPC_URL: ledger.publicRpcUrl ?? "",
    PRIZE_TOKEN_CONTRACT: payouts.token ?? "",
    AUTH_SECRET: authSecret(env),
    PAYMENT_PROVIDER_URL: paymentProviderUrl,
    PAYMENT_WEBHOOK_SECRET: webhookSecret,
    GIFTCARD_PROVIDER_URL: giftCardUrl,
    GIFTCARD_PROVIDER_API_KEY: giftCard.apiKey,
    GIFTCARD_PROVIDER_WEBHOOK_SECRET: giftCard.webhookSecret,
    MAIL_CAPTURE: mailCapture ?? "",
    VAPID_PUBLIC_KEY: vapid.publicKey,
    // The demo's webhook receivers run on this machine; a deployment sets it itself (off).
    WEBHOOK_ALLOW_PRIVATE: env.DATABASE_URL ? String(env.WEBHOOK_ALLOW_PRIVATE) : "true",
    ...codeKeyEnvironment(),
    AUTH_TRUST_HOST: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(env.PORT),
  };
  const worker = startChild(
    "worker",
    process.execPath,
    [path.join(BUNDLE_DIR, "worker.mjs")],
    // The treasury's key goes to the worker alone: web instances face the internet.
    { ...childEnv, TREASURY_KEY: payouts.treasuryKey ?? "", VAPID_PRIVATE_KEY: vapid.privateKey },
    printReadably,
  );
  cleanups.push(() => stopChild(worker.child, worker.exited));
  const server = webServerCommand(env);
  const web = startChild(
    "web",
    process.execPath,
    server.args,
    { ...childEnv, ...server.env },
    printReadably,
  );
  cleanups.push(() => stopChild(web.child, web.exited));

  const url = `http://localhost:${env.PORT}`;
  if (!(await waitForHttp(`${url}/api/health`, 60_000))) {
    log(`the web app did not answer on ${url}/api/health within 60 s`);
  }
  const logins = env.DATABASE_URL
    ? ""
    : demoAccounts
        .map((a) => `    ${a.role.padEnd(8)} ${a.email.padEnd(28)} password: ${DEMO_PASSWORD}`)
        .join("\n");
  const twoFactorHint =
    `    admin and auditor have two-factor on, secret ${DEMO_TOTP_SECRET}:\n` +
    "    add it to any authenticator app, or print the code with npm run otp -- <email>";
  console.log(`
  Prizeledger is running
    web       ${url}
    verify    ${url}/verify
    admin     ${url}/admin
    chain     ${ledger.rpcUrl}  (ledger contract ${ledger.contract})
    token     ${payouts.token ?? "not configured: crypto prizes wait"}
    payments  ${paymentProviderUrl}
    giftcards ${giftCardUrl}
    database  ${databaseUrl.replace(/\/\/[^@]*@/, "//***@")}
${logins ? `  Demo logins\n${logins}\n${twoFactorHint}\n` : ""}
  Press Ctrl-C to stop.
`);
  const code = await Promise.race([worker.exited, web.exited]);
  if (!stopping) {
    log(`a process exited (code ${code}); stopping the rest`);
    await shutdown(code ?? 1);
  }
}

main().catch(async (error: Error) => {
  console.error(`[prizeledger] start-up failed: ${error.message}`);
  await shutdown(1);
});
