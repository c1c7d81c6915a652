import { eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { type Db, sqlClient } from "@/db/client";
import { prizes } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { runDeliveryJob } from "@/lib/delivery/deliver-job";
import { relayOutbox } from "@/lib/jobs/outbox";
import { createJobQueue, QUEUES, type QueueName } from "@/lib/jobs/queue";
import { createPlayers, createTestDrop, testDatabaseUrl } from "./db";
import { memoryLog } from "./memory-log";

/** A started pg-boss on the test file's own database, as the web's admin pages use one. */
export async function startTestJobQueue(db: Db): Promise<PgBoss> {
  const boss = createJobQueue(testDatabaseUrl(db), { work: false });
  boss.on("error", () => {});
  await boss.start();
  return boss;
}

/** A claim of a gift card delivered by the `giftcard` provider, its job relayed into the queue. */
export async function claimGiftCard(db: Db, boss: PgBoss) {
  const drop = await createTestDrop(db, { units: 1, kind: "gift_card" });
  await db
    .update(prizes)
    .set({ deliveryProvider: "giftcard", providerProduct: "amazon-us" })
    .where(eq(prizes.id, drop.prizeId));
  const [playerId] = (await createPlayers(db, 1)) as [string];
  const { redemption } = await claimDrop(db, { dropId: drop.dropId, playerId });
  await relayOutbox(sqlClient(db), boss);
  return { playerId, redemptionId: redemption.id };
}

/**
 * A delivery the pipeline gave up on, as the worker leaves one: its last try failed with no
 * gift-card provider configured, the delivery is dead, its job failed for good and a copy of the
 * job waits in `delivery_dead`. Returns the redemption and the two jobs' ids.
 */
export async function makeDeadDelivery(db: Db, boss: PgBoss) {
  const claim = await claimGiftCard(db, boss);
  const [job] = await boss.findJobs("delivery", { data: { redemptionId: claim.redemptionId } });
  if (!job) throw new Error("no delivery job");
  const outcome = await runDeliveryJob(
    { db, log: memoryLog().log, giftCards: null },
    { redemptionId: claim.redemptionId },
    QUEUES.delivery.retryLimit,
  );
  if (outcome !== "dead") throw new Error(`the delivery did not die: ${outcome}`);
  const deadJobId = await failForGood(
    db,
    boss,
    "delivery",
    job.id,
    "No gift-card provider is configured",
  );
  return { ...claim, jobId: job.id, deadJobId };
}

/**
 * A job's last try, spent: pg-boss fails it for good and copies it to the dead letters, as the
 * worker leaves it. Returns the dead letter's id.
 */
export async function failForGood(
  db: Db,
  boss: PgBoss,
  queue: QueueName,
  jobId: string,
  message: string,
): Promise<string> {
  await db.execute(sql`
    update pgboss.job set retry_count = retry_limit, state = 'active', started_on = now()
    where name = ${queue} and id = ${jobId}`);
  await boss.fail(queue, jobId, { message });
  const [dead] = await db.execute<{ id: string }>(sql`
    select id::text from pgboss.job where name = ${`${queue}_dead`} and source_id = ${jobId}`);
  if (!dead) throw new Error("no dead letter");
  return dead.id;
}

/** A job row as pg-boss keeps one, in `queue` (a dead letter when it ends in `_dead`). */
export async function insertJob(db: Db, queue: string, data: object = {}): Promise<string> {
  const [row] = await db.execute<{ id: string }>(sql`
    insert into pgboss.job (name, data) values (${queue}, ${JSON.stringify(data)}::jsonb)
    returning id::text`);
  if (!row) throw new Error("no job");
  return row.id;
}

/** A fresh claim's redemption, its delivery pending (not relayed to the queue). */
async function claimOne(db: Db): Promise<string> {
  const { dropId } = await createTestDrop(db, { units: 1 });
  // A player of its own: claims are rate limited per player.
  const [playerId] = (await createPlayers(db, 1)) as [string];
  return (await claimDrop(db, { dropId, playerId })).redemption.id;
}

/** A pending delivery with its job waiting in the queue; returns the job's id. */
export async function insertDeliveryJob(db: Db): Promise<string> {
  return insertJob(db, "delivery", { redemptionId: await claimOne(db) });
}

/** A delivery marked dead without the queue: for callers that only need one to retry. */
export async function markDeliveryDead(db: Db): Promise<string> {
  const redemptionId = await claimOne(db);
  await db.execute(sql`
    update deliveries set status = 'dead', last_error_code = 'provider_rejected',
                          last_error = 'test'
    where redemption_id = ${redemptionId}`);
  return redemptionId;
}
