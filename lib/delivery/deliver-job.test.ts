import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { deliveries, jobOutbox, ledgerEntries, notifications, prizes, users } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { relayOutbox, runOutboxRelay } from "@/lib/jobs/outbox";
import { createJobQueue, QUEUES, workQueue } from "@/lib/jobs/queue";
import { decodeLeaf } from "@/lib/ledger/leaf";
import { fromHex } from "@/lib/ledger/merkle";
import { getPlayerRedemption, getReceipt } from "@/lib/redemptions/redemptions";
import { reverseRedemption } from "@/lib/redemptions/reverse-redemption";
import { connectTestDb, createPlayers, createTestDrop, testDatabaseUrl } from "@/test/db";
import {
  type RunningGiftCardProvider,
  startGiftCardProvider,
  startWebhookReceiver,
} from "@/test/giftcard-provider";
import { memoryLog } from "@/test/memory-log";
import { waitFor } from "@/test/wait-for";
import {
  applyProviderState,
  type DeliveryJob,
  recordPayoutOutcome,
  runDeliveryJob,
} from "./deliver-job";
import { receiveGiftCardWebhook } from "./receive-webhook";

const db = connectTestDb();
let giftCards: RunningGiftCardProvider;

beforeAll(async () => {
  giftCards = await startGiftCardProvider();
});
afterAll(async () => {
  await giftCards?.stop();
});

const deps = () => ({ db, log: memoryLog().log, giftCards: giftCards.provider });

async function claimFrom(provider: "pool" | "giftcard") {
  const drop = await createTestDrop(db, { units: 2, kind: "gift_card" });
  if (provider === "giftcard") {
    await db
      .update(prizes)
      .set({ deliveryProvider: "giftcard", providerProduct: "amazon-us" })
      .where(eq(prizes.id, drop.prizeId));
  }
  const [playerId] = await createPlayers(db, 1);
  const claim = await claimDrop(db, { dropId: drop.dropId, playerId: playerId as string });
  return { ...drop, playerId: playerId as string, redemptionId: claim.redemption.id };
}

const deliveryOf = async (redemptionId: string) =>
  (await db.select().from(deliveries).where(eq(deliveries.redemptionId, redemptionId)))[0];

const deliveryLeaves = async (redemptionId: string) =>
  (
    await db
      .select({ data: ledgerEntries.leafData })
      .from(ledgerEntries)
      .where(sql`${ledgerEntries.redemptionId} = ${redemptionId} and kind = 'delivery'`)
  ).map((r) => decodeLeaf(r.data));

/** A gift-card claim whose delivery is dead: the provider down on the job's last try. */
async function claimBuried() {
  const c = await claimFrom("giftcard");
  await giftCards.setFaults({ share5xx: 1 });
  try {
    expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 99)).toBe("dead");
  } finally {
    await giftCards.setFaults({ share5xx: 0 });
  }
  return c;
}

describe("the delivery pipeline", () => {
  it("gives every claim a delivery and a job in the claim's own transaction", async () => {
    const c = await claimFrom("pool");
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ provider: "pool", status: "pending" });
    const jobs = await db.select().from(jobOutbox);
    expect(jobs.map((j) => j.data)).toContainEqual({ redemptionId: c.redemptionId });
  });

  it("relays the outbox into the queue once, whatever the number of relays", async () => {
    await claimFrom("pool");
    const boss = createJobQueue(testDatabaseUrl(db), { work: false });
    await boss.start();
    try {
      const before = await db.select().from(jobOutbox);
      const moved = await Promise.all([
        relayOutbox(sqlClient(db), boss),
        relayOutbox(sqlClient(db), boss),
      ]);
      expect(moved[0] + moved[1]).toBe(before.length);
      expect(await db.select().from(jobOutbox)).toEqual([]);
      const queued = await boss.findJobs("delivery", { queued: true });
      const ids = (rows: Array<{ data: unknown }>) =>
        rows.map((r) => (r.data as { redemptionId: string }).redemptionId).sort();
      // Mail jobs (the claim's notification) share the outbox; they go to their own queue.
      expect(ids(queued)).toEqual(ids(before.filter((j) => j.queue === "delivery")));
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });

  it("delivers through the queue: outbox, relay, pg-boss, handler, dead letters", async () => {
    const boss = createJobQueue(testDatabaseUrl(db), { work: true });
    boss.on("error", () => {});
    await boss.start();
    const stop = new AbortController();
    const relay = runOutboxRelay({
      sql: sqlClient(db),
      boss,
      signal: stop.signal,
      log: deps().log,
    });
    try {
      await workQueue<DeliveryJob>(boss, "delivery", { concurrency: 5, log: deps().log }, (job) =>
        runDeliveryJob(deps(), job.data, job.retryCount),
      );
      const delivered = await claimFrom("giftcard");
      // A product the provider does not sell: refused for good, dead at once, to the dead letters.
      const refused = await claimFrom("giftcard");
      await db
        .update(prizes)
        .set({ providerProduct: "no-such-product" })
        .where(eq(prizes.id, refused.prizeId));
      await waitFor(async () => (await deliveryOf(delivered.redemptionId))?.status === "delivered");
      await waitFor(async () => (await deliveryOf(refused.redemptionId))?.status === "dead");
      expect(await deliveryOf(refused.redemptionId)).toMatchObject({
        lastErrorCode: "provider_rejected",
      });
      const dead = await waitFor(async () => {
        const jobs = await boss.findJobs<DeliveryJob>("delivery_dead");
        return jobs.find((j) => j.data.redemptionId === refused.redemptionId);
      });
      expect(dead).toBeDefined();
    } finally {
      stop.abort();
      await relay;
      await boss.stop({ graceful: false, close: true });
    }
  });

  it("settles a pool code as delivered, with a delivery entry in the log, once", async () => {
    const c = await claimFrom("pool");
    expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 0)).toBe("completed");
    expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 0)).toBe("completed");
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "delivered" });
    const leaves = await deliveryLeaves(c.redemptionId);
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toMatchObject({ kind: "delivery", outcome: "delivered", provider: "pool" });
    // Its receipt is the player's, checked with the redemption's salt like the claim's.
    const claimed = await getReceipt(db, c.playerId, c.redemptionId, "redemption");
    const delivered = await getReceipt(db, c.playerId, c.redemptionId, "delivery");
    expect(delivered?.leaf.salt).toBe(claimed?.leaf.salt);
    expect(decodeLeaf(fromHex(delivered?.leaf.data ?? ""))).toMatchObject({
      kind: "delivery",
      entryId: c.redemptionId,
    });
  });

  it("orders a gift card from the provider and shows the card to its owner", async () => {
    const c = await claimFrom("giftcard");
    expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 0)).toBe("completed");
    const view = await getPlayerRedemption(db, c.playerId, c.redemptionId);
    expect(view?.delivery).toMatchObject({ status: "delivered", provider: "giftcard" });
    expect(view?.delivery?.reference).toMatch(/\S/);
    expect(view?.delivery?.reward?.code).toMatch(/\S/);
    // Running the job again (a redelivered job) orders nothing new.
    await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 0);
    expect((await giftCards.stats()).orders).toBeGreaterThan(0);
    expect(await deliveryLeaves(c.redemptionId)).toHaveLength(1);
  });

  it("retries a provider that is down, then delivers once it is back", async () => {
    const c = await claimFrom("giftcard");
    await giftCards.setFaults({ share5xx: 1 });
    try {
      expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 0)).toBe("retry");
      expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "failed", attempts: 1 });
    } finally {
      await giftCards.setFaults({ share5xx: 0 });
    }
    expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 1)).toBe("completed");
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "delivered" });
  });

  it("buries a delivery whose retries are spent, and logs it dead", async () => {
    const c = await claimBuried();
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "dead" });
    expect((await deliveryLeaves(c.redemptionId))[0]).toMatchObject({ outcome: "dead" });
  });

  it("buries an order still pending at the provider once its retries are spent", async () => {
    const c = await claimFrom("giftcard");
    await giftCards.setFaults({ shareAsync: 1, asyncDelayMs: 600_000 });
    try {
      expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 0)).toBe("retry");
      expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "submitted" });
      // The last try looks the order up and finds it pending still: the job goes to the dead
      // letters, so the delivery must be dead too, where an admin sees it.
      const last = QUEUES.delivery.retryLimit;
      expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, last)).toBe("dead");
    } finally {
      await giftCards.setFaults({ shareAsync: 0, asyncDelayMs: 200 });
    }
    expect(await deliveryOf(c.redemptionId)).toMatchObject({
      status: "dead",
      lastErrorCode: "awaiting_provider",
    });
  });

  it("buries a delivery whose last try throws, rather than leave it with no job", async () => {
    const c = await claimFrom("giftcard");
    const broken = {
      ...giftCards.provider,
      submit: async () => {
        throw new TypeError("a provider plug-in's bug");
      },
    };
    const brokenDeps = { ...deps(), giftCards: broken };
    // Before the last try the queue retries it (the worker logs the throw).
    await expect(runDeliveryJob(brokenDeps, { redemptionId: c.redemptionId }, 0)).rejects.toThrow(
      TypeError,
    );
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "pending" });
    const last = QUEUES.delivery.retryLimit;
    expect(await runDeliveryJob(brokenDeps, { redemptionId: c.redemptionId }, last)).toBe("dead");
    expect(await deliveryOf(c.redemptionId)).toMatchObject({
      status: "dead",
      lastErrorCode: "internal_error",
    });
  });

  it("tells open pages of a bulk change too many players long for one notification", async () => {
    const players = 200;
    const drop = await createTestDrop(db, { units: players, kind: "crypto" });
    const ids: string[] = [];
    for (const playerId of await createPlayers(db, players)) {
      ids.push((await claimDrop(db, { dropId: drop.dropId, playerId })).redemption.id);
    }
    await db.execute(sql`
      update deliveries set status = 'waiting' where redemption_id = any(${sql.param(ids)}::uuid[])`);
    const heard: string[] = [];
    const listener = await sqlClient(db).listen("delivery", (payload) => heard.push(payload));
    try {
      // One statement releases them all (200 ids of 36 characters: past what a payload holds).
      await db.execute(sql`
        update redemptions set status = status where id = any(${sql.param(ids)}::uuid[])`);
      await db.execute(sql`select pg_notify('delivery', 'marker')`);
      await waitFor(async () => heard.includes("marker"));
    } finally {
      await listener.unlisten();
    }
    // Empty: every open page reads its view again (lib/live/player-feeds.ts).
    expect(heard).toContain("");
  });

  it("finds the first order when the player's details changed since it was sent", async () => {
    const c = await claimFrom("giftcard");
    const [player] = await db.select().from(users).where(eq(users.id, c.playerId));
    // The first try's order reached the provider, its answer did not (a timeout)...
    await giftCards.provider.submit({
      externalId: c.redemptionId,
      productId: "amazon-us",
      amountCents: 2500,
      currency: "USD",
      recipient: { name: player?.displayName ?? "", email: player?.email ?? "" },
    });
    // ...and the player renamed themselves before the retry.
    await db.update(users).set({ displayName: "Someone Else" }).where(eq(users.id, c.playerId));
    expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 1)).toBe("completed");
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "delivered" });
    const view = await getPlayerRedemption(db, c.playerId, c.redemptionId);
    expect(view?.delivery?.reward?.code).toBeTruthy();
  });

  it("keeps a dead delivery dead until it is delivered: no revival, no second outcome", async () => {
    const c = await claimBuried();
    const order = {
      reference: "order-1",
      externalId: c.redemptionId,
      reward: null,
      failureReason: null,
      updatedAt: new Date().toISOString(),
    };
    // The provider's "created" webhook, late: nothing would take the order up again.
    expect(
      await applyProviderState(db, c.redemptionId, { ...order, status: "submitted", version: 1 }),
    ).toBe(false);
    // A failure told after the delivery died, or told twice (payouts report at least once).
    expect(
      await applyProviderState(db, c.redemptionId, { ...order, status: "failed", version: 2 }),
    ).toBe(false);
    await recordPayoutOutcome(db, c.redemptionId, {
      status: "failed",
      txHash: null,
      reference: "x",
      error: null,
    });
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "dead" });
    expect(await deliveryLeaves(c.redemptionId)).toMatchObject([{ outcome: "dead" }]);
    // The provider delivered after all: that is news, and the player gets the card.
    const reward = { code: "LATE-1", pin: null, link: null };
    expect(
      await applyProviderState(db, c.redemptionId, {
        ...order,
        status: "delivered",
        version: 3,
        reward,
      }),
    ).toBe(true);
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "delivered" });
  });

  it("requests a crypto prize's payout, waits for a wallet, and follows the payout's outcomes", async () => {
    const drop = await createTestDrop(db, { units: 1, kind: "crypto" });
    await db
      .update(prizes)
      .set({ tokenAmount: "10.5", tokenSymbol: "PLT" })
      .where(eq(prizes.id, drop.prizeId));
    const [playerId = ""] = await createPlayers(db, 1);
    const { redemption } = await claimDrop(db, { dropId: drop.dropId, playerId });
    expect(await runDeliveryJob(deps(), { redemptionId: redemption.id }, 0)).toBe("completed");
    expect(await deliveryOf(redemption.id)).toMatchObject({ provider: "token", status: "waiting" });
    const [payout] = await db.execute<{ status: string; amount: string }>(
      sql`select status, amount::text from token_payouts where redemption_id = ${redemption.id}`,
    );
    expect(payout).toEqual({ status: "awaiting_wallet", amount: "10500000000000000000" });
    // A job run again requests nothing more, nor asks for the wallet twice.
    await runDeliveryJob(deps(), { redemptionId: redemption.id }, 0);
    const asked = await db
      .select()
      .from(notifications)
      .where(eq(notifications.redemptionId, redemption.id));
    expect(asked.filter((n) => n.kind === "next_step_wallet")).toEqual([
      expect.objectContaining({ link: "/account", title: "Test prize: one step left for you" }),
    ]);
    const txHash = `0x${"ab".repeat(32)}`;
    const reference = `0x${"00".repeat(16)}${redemption.id.replaceAll("-", "")}`;
    await recordPayoutOutcome(db, redemption.id, {
      status: "submitted",
      txHash,
      reference,
      error: null,
    });
    expect(await deliveryOf(redemption.id)).toMatchObject({ status: "submitted", txHash });
    for (let i = 0; i < 2; i++) {
      await recordPayoutOutcome(db, redemption.id, {
        status: "delivered",
        txHash,
        reference,
        error: null,
      });
    }
    expect(await deliveryOf(redemption.id)).toMatchObject({
      status: "delivered",
      txHash,
      reference,
    });
    expect(await deliveryLeaves(redemption.id)).toMatchObject([
      { outcome: "delivered", provider: "token" },
    ]);
  });

  it("cancels a delivery whose redemption is reversed before it went out", async () => {
    const c = await claimFrom("giftcard");
    const [admin] = await createPlayers(db, 1, { role: "admin" });
    await reverseRedemption(db, {
      redemptionId: c.redemptionId,
      adminId: admin as string,
      reason: "test",
    });
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "cancelled" });
    expect(await runDeliveryJob(deps(), { redemptionId: c.redemptionId }, 0)).toBe("completed");
    expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "cancelled" });
  });

  it("applies asynchronous webhooks once, whatever their order and number", async () => {
    // A second provider process whose webhooks land here, to be replayed in any order.
    const sink = await startWebhookReceiver();
    const async = await startGiftCardProvider({
      webhookUrl: sink.url,
      faults: { shareAsync: 1 },
    });
    try {
      const c = await claimFrom("giftcard");
      const asyncDeps = { ...deps(), giftCards: async.provider };
      expect(await runDeliveryJob(asyncDeps, { redemptionId: c.redemptionId }, 0)).toBe("retry");
      expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "submitted" });
      await waitFor(async () => sink.received.length >= 2);
      // Newest first, then each again: only the newest state counts, applied once.
      const replay = [...sink.received].reverse().concat(sink.received);
      const outcomes = [];
      for (const hook of replay) {
        outcomes.push(await receiveGiftCardWebhook(db, hook.raw, hook.headers, async.provider));
      }
      expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
      expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "delivered" });
      expect(await deliveryLeaves(c.redemptionId)).toHaveLength(1);
      // A forged webhook is refused before anything is read.
      const forged = sink.received[0] as { raw: Uint8Array; headers: Headers };
      const tampered = new Uint8Array(forged.raw);
      tampered[tampered.length - 2] = (tampered[tampered.length - 2] ?? 0) ^ 1;
      await expect(
        receiveGiftCardWebhook(db, tampered, forged.headers, async.provider),
      ).rejects.toMatchObject({ code: "invalid_signature" });
      // The job, coming back, finds it settled.
      expect(await runDeliveryJob(asyncDeps, { redemptionId: c.redemptionId }, 1)).toBe(
        "completed",
      );
    } finally {
      await async.stop();
      await sink.close();
    }
  });

  it("applies a failed order's webhooks once, and an older one never revives it", async () => {
    const sink = await startWebhookReceiver();
    const async = await startGiftCardProvider({
      webhookUrl: sink.url,
      faults: { shareAsync: 1, shareFailed: 1 },
    });
    try {
      const c = await claimFrom("giftcard");
      const asyncDeps = { ...deps(), giftCards: async.provider };
      expect(await runDeliveryJob(asyncDeps, { redemptionId: c.redemptionId }, 0)).toBe("retry");
      await waitFor(async () => sink.received.length >= 2);
      // The failure first, then the older "created", then each again.
      const replay = [...sink.received].reverse().concat(sink.received);
      const outcomes = [];
      for (const hook of replay) {
        outcomes.push(await receiveGiftCardWebhook(db, hook.raw, hook.headers, async.provider));
      }
      expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
      expect(await deliveryOf(c.redemptionId)).toMatchObject({ status: "dead" });
      expect(await deliveryLeaves(c.redemptionId)).toHaveLength(1);
    } finally {
      await async.stop();
      await sink.close();
    }
  });
});
