import { and, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import {
  auditEvents,
  deliveries,
  dropUnits,
  jobOutbox,
  ledgerEntries,
  notifications,
  prizes,
} from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { applyProviderState, runDeliveryJob } from "@/lib/delivery/deliver-job";
import type { DeliveryProvider } from "@/lib/delivery/model";
import { getDrop } from "@/lib/drops/drops";
import { retryJob } from "@/lib/jobs/manage-jobs";
import { relayOutbox } from "@/lib/jobs/outbox";
import { QUEUES } from "@/lib/jobs/queue";
import { decodeLeaf } from "@/lib/ledger/leaf";
import { fromHex } from "@/lib/ledger/merkle";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { type RunningGiftCardProvider, startGiftCardProvider } from "@/test/giftcard-provider";
import { failForGood, startTestJobQueue } from "@/test/jobs";
import { memoryLog } from "@/test/memory-log";
import { getPlayerRedemption, getReceipt } from "./redemptions";
import { type PrizeCancelJob, runPrizeCancelJob } from "./reverse-delivery";
import { reverseRedemption } from "./reverse-redemption";
import { getAdminRedemption } from "./search-redemptions";

const db = connectTestDb();
let giftCards: RunningGiftCardProvider;

beforeAll(async () => {
  giftCards = await startGiftCardProvider();
});
afterAll(async () => {
  await giftCards?.stop();
});

const deps = (provider: DeliveryProvider = giftCards.provider) => ({
  db,
  log: memoryLog().log,
  giftCards: provider,
});

/** A claim of a one-unit drop whose gift card is ordered from the local provider. */
async function claimCard() {
  const drop = await createTestDrop(db, { units: 1, kind: "gift_card" });
  await db
    .update(prizes)
    .set({ deliveryProvider: "giftcard", providerProduct: "amazon-us" })
    .where(eq(prizes.id, drop.prizeId));
  const [playerId, nextPlayerId, adminId] = await createPlayers(db, 3);
  const claim = await claimDrop(db, { dropId: drop.dropId, playerId: playerId as string });
  return {
    ...drop,
    playerId: playerId as string,
    nextPlayerId: nextPlayerId as string,
    adminId: adminId as string,
    redemptionId: claim.redemption.id,
    unitId: claim.redemption.unitId,
  };
}

/** A claim whose card the provider issued and the player was shown. */
async function deliveredCard() {
  const c = await claimCard();
  expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 0)).toBe("completed");
  const delivery = await deliveryOf(c.redemptionId);
  expect(delivery?.status).toBe("delivered");
  return { ...c, orderId: delivery?.reference as string };
}

const deliveryOf = async (redemptionId: string) =>
  (await db.select().from(deliveries).where(eq(deliveries.redemptionId, redemptionId)))[0];

const unitStatus = async (unitId: number) =>
  (await db.select().from(dropUnits).where(eq(dropUnits.id, unitId)))[0]?.status;

const cancelJobs = async (redemptionId: string) =>
  (
    await db
      .select({ data: jobOutbox.data })
      .from(jobOutbox)
      .where(sql`${jobOutbox.data}->>'redemptionId' = ${redemptionId}
                 and ${jobOutbox.data}->>'action' = 'cancel'`)
  ).map((row) => row.data as PrizeCancelJob);

const cancelEvents = (redemptionId: string) =>
  db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, "redemption_prize_cancel"),
        eq(auditEvents.subject, `redemption:${redemptionId}`),
      ),
    );

const deliveryLeaves = async (redemptionId: string) =>
  (
    await db
      .select({ data: ledgerEntries.leafData })
      .from(ledgerEntries)
      .where(sql`${ledgerEntries.redemptionId} = ${redemptionId} and kind = 'delivery'`)
  ).map((row) => decodeLeaf(row.data));

const reverse = (c: { redemptionId: string; adminId: string }) =>
  reverseRedemption(db, { redemptionId: c.redemptionId, adminId: c.adminId, reason: "Fraud" });

describe("reversing a gift card the provider issued", () => {
  it("cancels the card at the provider, then returns the unit to the drop", async () => {
    const c = await deliveredCard();
    const reversal = await reverse(c);
    // The card is out until the provider says otherwise: the unit is not back yet.
    expect(reversal.prize).toBe("cancelling");
    expect(await unitStatus(c.unitId)).toBe("claimed");
    expect((await getDrop(db, c.dropId))?.remaining).toBe(0);
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "delivered" });
    const [job] = await cancelJobs(c.redemptionId);
    expect(job).toEqual({ redemptionId: c.redemptionId, action: "cancel" });
    expect((await getAdminRedemption(db, c.redemptionId))?.reversal?.prize).toBe("cancelling");
    // While the cancel is under way the player is not shown the card to spend.
    const cancelling = await getPlayerRedemption(db, c.playerId, c.redemptionId);
    expect(cancelling?.delivery).toMatchObject({ status: "delivered", reward: null });

    expect(await runPrizeCancelJob(deps(), job as PrizeCancelJob, 0)).toBe("completed");
    const order = await giftCards.provider.lookup(c.redemptionId);
    expect(order).toMatchObject({ reference: c.orderId, status: "cancelled" });
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "cancelled" });
    expect(await deliveryLeaves(c.redemptionId)).toMatchObject([
      { outcome: "delivered", provider: "giftcard" },
      { outcome: "cancelled", provider: "giftcard" },
    ]);
    expect(await unitStatus(c.unitId)).toBe("available");
    expect((await getDrop(db, c.dropId))?.remaining).toBe(1);
    // The delivery receipt is of the latest outcome, not whichever leaf the database finds first.
    const receipt = await getReceipt(db, c.playerId, c.redemptionId, "delivery");
    expect(decodeLeaf(fromHex(receipt?.leaf.data ?? "0x"))).toMatchObject({ outcome: "cancelled" });
    const view = await getPlayerRedemption(db, c.playerId, c.redemptionId);
    expect(view?.reversal?.prize).toBe("recovered");
    expect(view?.delivery?.reward).toBeNull();
    expect((await getAdminRedemption(db, c.redemptionId))?.reversal?.prize).toBe("recovered");

    // The job again (a redelivery, a second worker) changes nothing more.
    expect(await runPrizeCancelJob(deps(), job as PrizeCancelJob, 1)).toBe("completed");
    expect(await cancelEvents(c.redemptionId)).toHaveLength(1);
    expect(await deliveryLeaves(c.redemptionId)).toHaveLength(2);
    const next = await claimDrop(db, { dropId: c.dropId, playerId: c.nextPlayerId });
    expect(next.redemption.unitId).toBe(c.unitId);
    expect((await getDrop(db, c.dropId))?.remaining).toBe(0);
  });

  it("leaves the unit consumed when the card was redeemed before the cancellation", async () => {
    const c = await deliveredCard();
    await giftCards.redeem(c.orderId);
    const [job] = await cancelJobs((await reverse(c)).redemptionId);
    expect(await runPrizeCancelJob(deps(), job as PrizeCancelJob, 0)).toBe("completed");
    expect(await giftCards.provider.lookup(c.redemptionId)).toMatchObject({ status: "delivered" });
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "delivered" });
    expect(await unitStatus(c.unitId)).toBe("claimed");
    expect((await getDrop(db, c.dropId))?.remaining).toBe(0);
    await expect(claimDrop(db, { dropId: c.dropId, playerId: c.nextPlayerId })).rejects.toThrow(
      expect.objectContaining({ code: "sold_out" }),
    );
    expect((await getAdminRedemption(db, c.redemptionId))?.reversal?.prize).toBe("lost");
    const [event] = await cancelEvents(c.redemptionId);
    expect(event?.data).toMatchObject({
      before: { prize: "cancelling" },
      after: { prize: "lost" },
      reference: c.orderId,
    });
  });

  it("retries while the provider is down, and returns the unit once it answers", async () => {
    const c = await deliveredCard();
    const [job] = await cancelJobs((await reverse(c)).redemptionId);
    await giftCards.setFaults({ share5xx: 1 });
    try {
      expect(await runPrizeCancelJob(deps(), job as PrizeCancelJob, 0)).toBe("retry");
    } finally {
      await giftCards.setFaults({ share5xx: 0 });
    }
    expect(await unitStatus(c.unitId)).toBe("claimed");
    expect(await runPrizeCancelJob(deps(), job as PrizeCancelJob, 1)).toBe("completed");
    expect(await unitStatus(c.unitId)).toBe("available");
  });

  it("returns the unit once when reversals and their jobs race", async () => {
    const c = await deliveredCard();
    const attempts = await Promise.allSettled([reverse(c), reverse(c), reverse(c)]);
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    const jobs = await cancelJobs(c.redemptionId);
    expect(jobs).toHaveLength(1);
    const job = jobs[0] as PrizeCancelJob;
    const outcomes = await Promise.all([0, 0, 0].map((n) => runPrizeCancelJob(deps(), job, n)));
    expect(outcomes).toEqual(["completed", "completed", "completed"]);
    expect(await cancelEvents(c.redemptionId)).toHaveLength(1);
    expect(await unitStatus(c.unitId)).toBe("available");
    expect((await getDrop(db, c.dropId))?.remaining).toBe(1);
    expect(await deliveryLeaves(c.redemptionId)).toMatchObject([
      { outcome: "delivered" },
      { outcome: "cancelled" },
    ]);
  });

  it("cancels a card whose order reached the provider after the reversal", async () => {
    const c = await claimCard();
    // The delivery job is on its way to the provider when the admin reverses.
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let submitting = () => {};
    const atProvider = new Promise<void>((resolve) => {
      submitting = resolve;
    });
    const held: DeliveryProvider = {
      ...giftCards.provider,
      submit: async (order, options) => {
        submitting();
        await gate;
        return giftCards.provider.submit(order, options);
      },
    };
    const delivering = runDeliveryJob(deps(held), { redemptionId: c.redemptionId }, 0);
    await atProvider;
    const reversal = await reverse(c);
    expect(reversal.prize).toBe("cancelling");
    // The reversal's job finds no order yet: nothing went out, the unit comes back.
    const [first] = await cancelJobs(c.redemptionId);
    expect(await runPrizeCancelJob(deps(), first as PrizeCancelJob, 0)).toBe("completed");
    expect(await unitStatus(c.unitId)).toBe("available");
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "cancelled" });

    release();
    expect(await delivering).toBe("completed");
    // The order was placed after all: never shown to the player, and cancelled by a second job.
    expect(await giftCards.provider.lookup(c.redemptionId)).toMatchObject({ status: "delivered" });
    expect(
      (await getPlayerRedemption(db, c.playerId, c.redemptionId))?.delivery?.reward,
    ).toBeNull();
    const jobs = await cancelJobs(c.redemptionId);
    expect(jobs).toHaveLength(2);
    expect(await runPrizeCancelJob(deps(), jobs[1] as PrizeCancelJob, 0)).toBe("completed");
    expect(await giftCards.provider.lookup(c.redemptionId)).toMatchObject({ status: "cancelled" });
    expect((await getAdminRedemption(db, c.redemptionId))?.reversal?.prize).toBe("recovered");
    expect(await cancelEvents(c.redemptionId)).toHaveLength(1);
    expect(await unitStatus(c.unitId)).toBe("available");
  });

  it("never shows the card of a submitted order the provider completes after the reversal", async () => {
    const c = await claimCard();
    // The provider took the order but has not issued the card yet when the admin reverses.
    await db
      .update(deliveries)
      .set({ status: "submitted", reference: "ORD-late", providerVersion: 1 })
      .where(eq(deliveries.redemptionId, c.redemptionId));
    expect((await reverse(c)).prize).toBe("cancelling");
    // Its webhook (or a lookup) says delivered before the cancel job has run.
    const recorded = await applyProviderState(db, c.redemptionId, {
      reference: "ORD-late",
      externalId: c.redemptionId,
      status: "delivered",
      version: 2,
      reward: { code: "LATE-CODE", pin: null, link: null },
      failureReason: null,
      updatedAt: new Date().toISOString(),
    });
    expect(recorded).toBe(false);
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "submitted" });
    expect(
      (await getPlayerRedemption(db, c.playerId, c.redemptionId))?.delivery?.reward,
    ).toBeNull();
    const told = await db
      .select({ kind: notifications.kind })
      .from(notifications)
      .where(eq(notifications.playerId, c.playerId));
    expect(told.map((n) => n.kind)).not.toContain("delivery_delivered");
  });

  it("returns at once the unit of a card whose delivery had not started", async () => {
    const c = await claimCard();
    await db
      .update(deliveries)
      .set({ status: "waiting" })
      .where(eq(deliveries.redemptionId, c.redemptionId));
    expect((await reverse(c)).prize).toBe("returned");
    expect(await cancelJobs(c.redemptionId)).toEqual([]);
    expect(await unitStatus(c.unitId)).toBe("available");
  });
});

describe("a cancel job whose retries ran out", () => {
  let boss: PgBoss;
  beforeAll(async () => {
    boss = await startTestJobQueue(db);
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, close: true });
  });

  it("is retried from /admin/jobs, and recovers the card once the provider answers", async () => {
    const c = await deliveredCard();
    await reverse(c);
    await relayOutbox(sqlClient(db), boss);
    const [queued] = await boss.findJobs("delivery", {
      data: { redemptionId: c.redemptionId, action: "cancel" },
    });
    if (!queued) throw new Error("no cancel job in the queue");
    await giftCards.setFaults({ share5xx: 1 });
    try {
      const job = queued.data as PrizeCancelJob;
      expect(await runPrizeCancelJob(deps(), job, QUEUES.delivery.retryLimit)).toBe("dead");
    } finally {
      await giftCards.setFaults({ share5xx: 0 });
    }
    const deadJobId = await failForGood(db, boss, "delivery", queued.id, "provider down");
    expect((await getAdminRedemption(db, c.redemptionId))?.reversal?.prize).toBe("cancelling");
    expect(await unitStatus(c.unitId)).toBe("claimed");

    await retryJob(db, { queue: "delivery", jobId: deadJobId }, { adminId: c.adminId });
    // The card's delivery is not dead: the retry leaves it as it was, and the job runs again.
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "delivered" });
    const [again] = await boss.findJobs("delivery", {
      data: { redemptionId: c.redemptionId, action: "cancel" },
    });
    expect(again).toMatchObject({ id: queued.id, state: "retry" });
    expect(await runPrizeCancelJob(deps(), again?.data as PrizeCancelJob, 0)).toBe("completed");
    expect((await getAdminRedemption(db, c.redemptionId))?.reversal?.prize).toBe("recovered");
    expect(await unitStatus(c.unitId)).toBe("available");
  });
});
