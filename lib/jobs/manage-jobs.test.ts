import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, jobOutbox } from "@/db/schema";
import { findAdminDelivery } from "@/lib/delivery/admin-deliveries";
import { connectTestDb, createPlayers } from "@/test/db";
import { claimGiftCard, makeDeadDelivery, startTestJobQueue } from "@/test/jobs";
import { cancelJob, countJobs, listJobs, retryJob } from "./manage-jobs";

const db = connectTestDb();
let boss: PgBoss;
let adminId: string;
const admin = () => ({ adminId });

beforeAll(async () => {
  boss = await startTestJobQueue(db);
  [adminId] = (await createPlayers(db, 1, { role: "admin" })) as [string];
});
afterAll(async () => {
  await boss?.stop({ graceful: false, close: true });
});

const stateOf = async (id: string) =>
  (
    await db.execute<{ name: string; state: string }>(
      sql`select name, state::text from pgboss.job where id = ${id}`,
    )
  )[0];

const eventsAbout = (queue: string, jobId: string) =>
  db
    .select()
    .from(auditEvents)
    .where(sql`${auditEvents.subject} = ${`job:${queue}:${jobId}`}`);

const jobOf = async (redemptionId: string) => {
  const [job] = await boss.findJobs("delivery", { data: { redemptionId } });
  if (!job) throw new Error("no job");
  return job.id;
};

describe("the job queue as admins see it", () => {
  it("counts and lists pending and dead jobs with their last error", async () => {
    const dead = await makeDeadDelivery(db, boss);
    const live = await claimGiftCard(db, boss);
    const counts = (await countJobs(db)).find((c) => c.queue === "delivery");
    expect(counts?.dead).toBeGreaterThanOrEqual(1);
    expect(counts?.pending).toBeGreaterThanOrEqual(1);
    const jobs = await listJobs(db);
    expect(jobs.find((j) => j.id === dead.deadJobId)).toMatchObject({
      queue: "delivery",
      state: "dead",
      data: { redemptionId: dead.redemptionId },
      lastError: "No gift-card provider is configured",
    });
    expect(jobs.find((j) => j.id === (dead.jobId as string))).toBeUndefined();
    expect(
      jobs.find((j) => (j.data as { redemptionId: string }).redemptionId === live.redemptionId),
    ).toMatchObject({ state: "pending", queue: "delivery" });
  });

  it("retries a dead job: its job runs again, the dead letter and the delivery start over", async () => {
    const dead = await makeDeadDelivery(db, boss);
    const change = await retryJob(db, { queue: "delivery", jobId: dead.deadJobId }, admin(), {
      requestId: "req-job",
    });
    expect(change).toEqual({ queue: "delivery", jobId: dead.deadJobId, outcome: "retried" });
    expect(await stateOf(dead.jobId)).toEqual({ name: "delivery", state: "retry" });
    expect(await stateOf(dead.deadJobId)).toEqual({ name: "delivery_dead", state: "completed" });
    expect((await findAdminDelivery(db, dead.redemptionId))?.status).toBe("pending");
    const [event] = await eventsAbout("delivery", dead.deadJobId);
    expect(event).toMatchObject({ action: "job_retry", actorId: adminId, requestId: "req-job" });
    // A second click finds nothing dead.
    await expect(
      retryJob(db, { queue: "delivery", jobId: dead.deadJobId }, admin()),
    ).rejects.toMatchObject({ code: "not_retryable" });
    expect(await eventsAbout("delivery", dead.deadJobId)).toHaveLength(1);
  });

  it("queues a new job for a dead one whose source pg-boss has deleted", async () => {
    const dead = await makeDeadDelivery(db, boss);
    await db.execute(sql`delete from pgboss.job where id = ${dead.jobId}`);
    await db.delete(jobOutbox);
    await retryJob(db, { queue: "delivery", jobId: dead.deadJobId }, admin());
    const outbox = await db.select().from(jobOutbox);
    expect(outbox.map((j) => [j.queue, j.data])).toEqual([
      ["delivery", { redemptionId: dead.redemptionId }],
    ]);
  });

  it("refuses to retry a job that is not dead", async () => {
    const live = await claimGiftCard(db, boss);
    const jobId = await jobOf(live.redemptionId);
    await expect(retryJob(db, { queue: "delivery", jobId }, admin())).rejects.toMatchObject({
      code: "not_retryable",
    });
    expect(await stateOf(jobId)).toMatchObject({ state: "created" });
  });

  it("cancels a pending delivery job, leaving its delivery dead for an admin", async () => {
    const live = await claimGiftCard(db, boss);
    const jobId = await jobOf(live.redemptionId);
    await cancelJob(db, { queue: "delivery", jobId }, admin());
    expect(await stateOf(jobId)).toMatchObject({ state: "cancelled" });
    expect(await findAdminDelivery(db, live.redemptionId)).toMatchObject({
      status: "dead",
      lastErrorCode: "job_cancelled",
    });
    await expect(cancelJob(db, { queue: "delivery", jobId }, admin())).rejects.toMatchObject({
      code: "not_cancellable",
    });
    const [event] = await eventsAbout("delivery", jobId);
    expect(event).toMatchObject({ action: "job_cancel", outcome: "ok" });
  });

  it("dismisses a dead job without touching its delivery", async () => {
    const dead = await makeDeadDelivery(db, boss);
    await cancelJob(db, { queue: "delivery", jobId: dead.deadJobId }, admin());
    expect(await stateOf(dead.deadJobId)).toMatchObject({ state: "cancelled" });
    expect((await findAdminDelivery(db, dead.redemptionId))?.status).toBe("dead");
  });

  it("leaves a running job alone", async () => {
    const live = await claimGiftCard(db, boss);
    const jobId = await jobOf(live.redemptionId);
    await db.execute(sql`update pgboss.job set state = 'active' where id = ${jobId}`);
    await expect(cancelJob(db, { queue: "delivery", jobId }, admin())).rejects.toMatchObject({
      code: "not_cancellable",
    });
    expect((await findAdminDelivery(db, live.redemptionId))?.status).toBe("pending");
  });

  it("finds no job in an unknown queue, another queue, or by a malformed id", async () => {
    const dead = await makeDeadDelivery(db, boss);
    for (const target of [
      { queue: "nope", jobId: dead.deadJobId },
      { queue: "delivery_dead", jobId: dead.deadJobId },
      { queue: "mail", jobId: dead.deadJobId },
      { queue: "delivery", jobId: "1 or 1=1" },
      { queue: "delivery", jobId: randomUUID() },
    ]) {
      await expect(retryJob(db, target, admin())).rejects.toMatchObject({ code: "not_found" });
      await expect(cancelJob(db, target, admin())).rejects.toMatchObject({ code: "not_found" });
    }
    expect(await stateOf(dead.deadJobId)).toMatchObject({ state: "created" });
  });
});
