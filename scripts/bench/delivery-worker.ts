/**
 * The delivery half of `npm run worker` as a process of its own, for `npm run bench:delivery`:
 * the outbox relay and the delivery queue, on DATABASE_URL and the GIFTCARD_PROVIDER_* settings,
 * DELIVERY_CONCURRENCY jobs at a time. Stops on SIGTERM.
 */
import { createDb } from "@/db/client";
import { configuredGiftCardProvider } from "@/lib/delivery/configured-provider";
import { type DeliveryJob, runDeliveryJob } from "@/lib/delivery/deliver-job";
import { runOutboxRelay } from "@/lib/jobs/outbox";
import { createJobQueue, workQueue } from "@/lib/jobs/queue";
import { log } from "@/lib/log";

const url = process.env.DATABASE_URL as string;
const concurrency = Number(process.env.DELIVERY_CONCURRENCY ?? 20);
const { db, sql } = createDb(url, 4 + Math.ceil(concurrency / 4));
const boss = createJobQueue(url, { work: true });
boss.on("error", (error) => log().error("job_queue_error", error));
await boss.start();
const controller = new AbortController();
const deps = {
  db,
  log: log(),
  giftCards: configuredGiftCardProvider(),
  signal: controller.signal,
};
await workQueue<DeliveryJob>(boss, "delivery", { concurrency, log: log() }, (job) =>
  runDeliveryJob(deps, job.data, job.retryCount),
);
process.on("SIGTERM", () => controller.abort());
console.log("delivery worker ready");
await runOutboxRelay({ sql, boss, signal: controller.signal, log: log() });
await boss.stop({ graceful: false, close: true });
await sql.end({ timeout: 5 });
process.exit(0);
