/** `npm run worker`: anchoring, expiry, lottery draws and upkeep; configured by the environment. */
import { createDb } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { configuredLogSigner, signUnsignedCheckpoints } from "../lib/anchoring/log-checkpoints";
import { runAnchoring } from "../lib/anchoring/run-anchoring";
import { runWitnessing } from "../lib/anchoring/witnesses";
import { configuredGiftCardProvider } from "../lib/delivery/configured-provider";
import { type DeliveryJob, recordPayoutOutcome, runDeliveryJob } from "../lib/delivery/deliver-job";
import { runMaintenance } from "../lib/jobs/maintenance";
import { runOutboxRelay } from "../lib/jobs/outbox";
import { createJobQueue, workQueue } from "../lib/jobs/queue";
import { connectLedgerChain } from "../lib/ledger/ledger-chain";
import { log } from "../lib/log";
import { productionMailProblem } from "../lib/mail/mail-capture";
import { Loops } from "../lib/metrics/worker-health";
import { startWorkerListener } from "../lib/metrics/worker-listener";
import {
  type NotificationMailJob,
  runNotificationMailJob,
} from "../lib/notifications/notification-mail";
import { connectPayoutChain } from "../lib/payouts/payout-chain";
import { runTokenPayouts } from "../lib/payouts/run-payouts";
import { type PushJob, runPushJob } from "../lib/push/send-push";
import { vapidKeys } from "../lib/push/vapid";
import { type PrizeCancelJob, runPrizeCancelJob } from "../lib/redemptions/reverse-delivery";
import type { WebhookJob } from "../lib/webhooks/emit-events";
import { runWebhookJob } from "../lib/webhooks/send-webhook";
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

// A witness checks the proof and the chain before it answers: seconds, not minutes. One that does
// not answer is asked again a little later; a checkpoint is only witnessed once it answers.
const WITNESS_TIMEOUT_MS = 10_000;
const WITNESS_RETRY_MS = 15_000;

async function main(): Promise<void> {
  const { DATABASE_URL, LEDGER_RPC_URL, LEDGER_CONTRACT, ANCHORER_KEY } = env as Required<
    typeof env
  >;
  await migrateDatabase(DATABASE_URL);
  // Four for anchoring and upkeep, and one for about every four deliveries in flight.
  const { db, sql } = createDb(DATABASE_URL, 4 + Math.ceil(env.DELIVERY_CONCURRENCY / 4), {
    preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
  });
  const chain = await connectLedgerChain(
    LEDGER_RPC_URL,
    LEDGER_CONTRACT,
    ANCHORER_KEY,
    env.ANCHOR_TX_TIMEOUT_MS,
  );
  // Crypto prizes paid on chain (docs/payouts.md), where a token and the treasury's key are set.
  const payoutChain =
    env.PRIZE_TOKEN_CONTRACT && env.TREASURY_KEY
      ? await connectPayoutChain(LEDGER_RPC_URL, env.PRIZE_TOKEN_CONTRACT, env.TREASURY_KEY)
      : undefined;
  // Checkpoints anchored before the log had its key are signed now; later ones as they anchor.
  const logSigner = configuredLogSigner(env);
  if (logSigner) {
    const signed = await signUnsignedCheckpoints(db, logSigner);
    if (signed > 0) log().info("signed_earlier_checkpoints", { count: signed });
  }
  const controller = new AbortController();
  const loops = new Loops();
  const stop = () => {
    loops.stop();
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // The job queue: the relay feeds it from the outbox, the handlers work it.
  const boss = createJobQueue(DATABASE_URL, { work: true });
  boss.on("error", (error) => log().error("job_queue_error", error));
  await boss.start();
  // Health and metrics (lib/metrics/worker-listener.ts); a port in use stops the start.
  const listener = await startWorkerListener(env, {
    databaseUrl: DATABASE_URL,
    queues: () => boss.getQueues(),
    loops,
  });
  const deliveryDeps = {
    db,
    log: log().child({ job: "delivery" }),
    giftCards: configuredGiftCardProvider(),
    signal: controller.signal,
  };
  await workQueue<DeliveryJob | PrizeCancelJob>(
    boss,
    "delivery",
    { concurrency: env.DELIVERY_CONCURRENCY, log: deliveryDeps.log },
    (job) =>
      "action" in job.data && job.data.action === "cancel"
        ? runPrizeCancelJob(deliveryDeps, job.data, job.retryCount)
        : runDeliveryJob(deliveryDeps, job.data, job.retryCount),
  );
  const mailLog = log().child({ job: "mail" });
  await workQueue<NotificationMailJob>(boss, "mail", { concurrency: 4, log: mailLog }, (job) =>
    runNotificationMailJob(db, mailLog, job.data),
  );
  const webhookDeps = {
    db,
    log: log().child({ job: "webhook" }),
    allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
  };
  await workQueue<WebhookJob>(
    boss,
    "webhook",
    { concurrency: env.DELIVERY_CONCURRENCY, log: webhookDeps.log },
    (job) => runWebhookJob(webhookDeps, job),
  );
  const pushDeps = {
    db,
    log: log().child({ job: "push" }),
    vapid: vapidKeys(env),
    allowInsecure: env.PUSH_ALLOW_INSECURE,
  };
  await workQueue<PushJob>(boss, "push", { concurrency: 8, log: pushDeps.log }, (job) =>
    runPushJob(pushDeps, job.data),
  );
  log().info("worker_started", {
    contract: LEDGER_CONTRACT,
    chainId: chain.chainId,
    health: listener.url && `${listener.url}/health`,
  });
  await Promise.all([
    loops.watch(
      "outbox",
      runOutboxRelay({ sql, boss, signal: controller.signal, log: log().child({ job: "outbox" }) }),
    ),
    loops.watch(
      "maintenance",
      runMaintenance({ db, signal: controller.signal, log: log().child({ job: "maintenance" }) }),
    ),
    loops.watch(
      "anchoring",
      runAnchoring({
        db,
        sql,
        chain,
        batchSize: env.ANCHOR_BATCH_SIZE,
        maxAgeMs: env.ANCHOR_MAX_AGE_MS,
        pollMs: env.ANCHOR_POLL_MS,
        signal: controller.signal,
        log: log().child({ job: "anchoring" }),
      }),
    ),
    logSigner &&
      env.LOG_WITNESSES?.length &&
      loops.watch(
        "witnessing",
        runWitnessing({
          db,
          sql,
          witnesses: env.LOG_WITNESSES,
          timeoutMs: WITNESS_TIMEOUT_MS,
          retryMs: WITNESS_RETRY_MS,
          signal: controller.signal,
          log: log().child({ job: "witnessing" }),
        }),
      ),
    payoutChain &&
      loops.watch(
        "payouts",
        runTokenPayouts({
          db,
          sql,
          chain: payoutChain,
          batchSize: env.PAYOUT_BATCH_SIZE,
          confirmations: env.PAYOUT_CONFIRMATIONS,
          pollMs: env.PAYOUT_POLL_MS,
          signal: controller.signal,
          log: log().child({ job: "payouts" }),
          // Each outcome is the crypto delivery's next step (at least once: a step told twice
          // changes nothing).
          onOutcome: (redemptionId, outcome) => recordPayoutOutcome(db, redemptionId, outcome),
        }),
      ),
  ]);
  await listener.close();
  await boss.stop({ graceful: true, timeout: 10_000 });
  payoutChain?.close();
  chain.close();
  await sql.end({ timeout: 5 });
  log().info("worker_stopped");
}

main().catch((error: Error) => {
  log().error("worker_failed", error);
  process.exit(1);
});
