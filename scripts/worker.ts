/** `npm run worker`: anchoring, expiry, lottery draws and upkeep; configured by the environment. */
import { createDb } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { runAnchoring } from "../lib/anchoring/run-anchoring";
import { runMaintenance } from "../lib/jobs/maintenance";
import { connectLedgerChain } from "../lib/ledger/ledger-chain";
import { productionMailProblem } from "../lib/mail/mail-capture";
import { loadEnvOrExit } from "./lib/runtime";

const env = loadEnvOrExit("worker", [
  "DATABASE_URL",
  "LEDGER_RPC_URL",
  "LEDGER_CONTRACT",
  "ANCHORER_KEY",
  "CODE_ENCRYPTION_KEYS",
  "CODE_FINGERPRINT_KEY",
]);
// The worker mails lottery winners: the same rule as the web instances, so a mail never lands in
// a capture that nobody was told to read.
const mailProblem = productionMailProblem(env, "worker");
if (mailProblem) {
  console.error(`worker: ${mailProblem}`);
  process.exit(1);
}
const log = (line: string) => console.log(`[worker] ${line}`);

async function main(): Promise<void> {
  const { DATABASE_URL, LEDGER_RPC_URL, LEDGER_CONTRACT, ANCHORER_KEY } = env as Required<
    typeof env
  >;
  await migrateDatabase(DATABASE_URL);
  const { db, sql } = createDb(DATABASE_URL, 4);
  const chain = await connectLedgerChain(
    LEDGER_RPC_URL,
    LEDGER_CONTRACT,
    ANCHORER_KEY,
    env.ANCHOR_TX_TIMEOUT_MS,
  );
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  log(`anchoring to ${LEDGER_CONTRACT} on chain ${chain.chainId}`);
  await Promise.all([
    runMaintenance({ db, signal: controller.signal, log }),
    runAnchoring({
      db,
      sql,
      chain,
      batchSize: env.ANCHOR_BATCH_SIZE,
      maxAgeMs: env.ANCHOR_MAX_AGE_MS,
      pollMs: env.ANCHOR_POLL_MS,
      signal: controller.signal,
      log,
    }),
  ]);
  chain.close();
  await sql.end({ timeout: 5 });
  log("stopped");
}

main().catch((error: Error) => {
  console.error(`[worker] ${error.message}`);
  process.exit(1);
});
