import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, deliveries, jobOutbox } from "@/db/schema";
import { countJobs } from "@/lib/jobs/manage-jobs";
import { connectTestDb, createPlayers } from "@/test/db";
import { claimGiftCard, makeDeadDelivery, startTestJobQueue } from "@/test/jobs";
import { memoryLog } from "@/test/memory-log";
import { findAdminDelivery, listTroubledDeliveries } from "./admin-deliveries";
import { runDeliveryJob } from "./deliver-job";
import { retryDelivery } from "./retry-delivery";

const db = connectTestDb();
let boss: PgBoss;
let adminId: string;

beforeAll(async () => {
  boss = await startTestJobQueue(db);
  [adminId] = (await createPlayers(db, 1, { role: "admin" })) as [string];
});
afterAll(async () => {
  await boss?.stop({ graceful: false, close: true });
});

const outboxFor = async (redemptionId: string) =>
  (await db.select().from(jobOutbox)).filter(
    (j) => (j.data as { redemptionId?: string }).redemptionId === redemptionId,
  );

const retriesOf = (redemptionId: string) =>
  db
    .select()
    .from(auditEvents)
    .where(
      sql`${auditEvents.action} = 'delivery_retry' and ${auditEvents.subject} = ${`redemption:${redemptionId}`}`,
    );

describe("an admin's retry of a dead delivery", () => {
  it("lists the dead delivery with its provider, attempts and last error", async () => {
    const dead = await makeDeadDelivery(db, boss);
    const listed = (await listTroubledDeliveries(db)).find(
      (d) => d.redemptionId === dead.redemptionId,
    );
    expect(listed).toMatchObject({
      status: "dead",
      provider: "giftcard",
      lastErrorCode: "provider_unavailable",
      lastError: expect.stringContaining("No gift-card provider"),
      playerEmail: expect.stringContaining("@"),
    });
    expect(await findAdminDelivery(db, dead.redemptionId)).toMatchObject({ status: "dead" });
    expect(await findAdminDelivery(db, "not-an-id")).toBeNull();
  });

  it("sets it pending, queues a new job, settles its dead letter and audits it, together", async () => {
    const dead = await makeDeadDelivery(db, boss);
    const deadBefore = (await countJobs(db)).find((c) => c.queue === "delivery")?.dead ?? 0;
    const view = await retryDelivery(
      db,
      { redemptionId: dead.redemptionId, adminId },
      { ip: "203.0.113.9", requestId: "req-retry" },
    );
    expect(view).toMatchObject({ status: "pending", provider: "giftcard" });
    const [row] = await db
      .select()
      .from(deliveries)
      .where(eq(deliveries.redemptionId, dead.redemptionId));
    // The history an admin judged stays; the status starts over.
    expect(row).toMatchObject({ status: "pending", lastErrorCode: "provider_unavailable" });
    expect(await outboxFor(dead.redemptionId)).toHaveLength(1);
    const after = (await countJobs(db)).find((c) => c.queue === "delivery")?.dead ?? 0;
    expect(after).toBe(deadBefore - 1);
    const [event] = await retriesOf(dead.redemptionId);
    expect(event).toMatchObject({ actorId: adminId, outcome: "ok", requestId: "req-retry" });
    expect(event?.data).toMatchObject({ before: { status: "dead" }, after: { status: "pending" } });
    // The queued job does work again: with no provider still, the delivery fails and retries.
    const outcome = await runDeliveryJob(
      { db, log: memoryLog().log, giftCards: null },
      { redemptionId: dead.redemptionId },
      0,
    );
    expect(outcome).toBe("retry");
    expect((await findAdminDelivery(db, dead.redemptionId))?.status).toBe("failed");
  });

  it("retries once when two admins click together, and refuses the second", async () => {
    const dead = await makeDeadDelivery(db, boss);
    const results = await Promise.allSettled([
      retryDelivery(db, { redemptionId: dead.redemptionId, adminId }),
      retryDelivery(db, { redemptionId: dead.redemptionId, adminId }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "not_retryable" });
    expect(await outboxFor(dead.redemptionId)).toHaveLength(1);
    expect(await retriesOf(dead.redemptionId)).toHaveLength(1);
  });

  it("refuses a delivery that is not dead, and one that does not exist", async () => {
    const live = await claimGiftCard(db, boss);
    await expect(
      retryDelivery(db, { redemptionId: live.redemptionId, adminId }),
    ).rejects.toMatchObject({ code: "not_retryable", message: expect.stringContaining("pending") });
    await expect(retryDelivery(db, { redemptionId: randomUUID(), adminId })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(
      retryDelivery(db, { redemptionId: "'; drop table deliveries; --", adminId }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(await retriesOf(live.redemptionId)).toHaveLength(0);
  });
});
