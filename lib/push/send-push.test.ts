import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import webPush from "web-push";
import { jobOutbox, notifications, pushSubscriptions } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { changeNotificationPreferences } from "@/lib/notifications/preferences";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { memoryLog } from "@/test/memory-log";
import { decryptPush, type RunningPushService, startPushService } from "@/test/push-service";
import { MAX_REFUSALS, type PushDeps, runPushJob } from "./send-push";
import { getPushState, savePushSubscription } from "./subscriptions";

const db = connectTestDb(4);
const { log } = memoryLog();
const vapid = { ...webPush.generateVAPIDKeys(), subject: "mailto:push@prizeledger.test" };
const options = { publicKey: vapid.publicKey, allowInsecure: true };
const deps: PushDeps = { db, log, vapid, allowInsecure: true };
let service: RunningPushService;

beforeAll(async () => {
  service = await startPushService();
});
afterAll(async () => {
  await service.stop();
});

/** A player subscribed in one browser of the push service, and a claim notifying them. */
async function subscribedClaim() {
  const [playerId = ""] = await createPlayers(db, 1);
  const browser = await service.subscribe(vapid.publicKey);
  await savePushSubscription(
    db,
    playerId,
    { endpoint: browser.endpoint, keys: { p256dh: browser.keys.p256dh, auth: browser.keys.auth } },
    options,
  );
  const drop = await createTestDrop(db, { units: 1 });
  await claimDrop(db, { dropId: drop.dropId, playerId });
  const [notification] = await db
    .select()
    .from(notifications)
    .where(eq(notifications.playerId, playerId));
  const [subscription] = await db
    .select()
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.userId, playerId));
  const jobs = await db
    .select({ data: jobOutbox.data })
    .from(jobOutbox)
    .where(
      sql`${jobOutbox.queue} = 'push' and ${jobOutbox.data}->>'notificationId' = ${notification?.id ?? ""}`,
    );
  return {
    playerId,
    browser,
    notification,
    subscription,
    jobs,
    job: { notificationId: notification?.id ?? "", subscriptionId: subscription?.id ?? "" },
  };
}

const subscriptionRow = async (id: string) =>
  (await db.select().from(pushSubscriptions).where(eq(pushSubscriptions.id, id)))[0];

describe("web push", () => {
  it("a claim queues a push per browser, which reaches it encrypted and signed", async () => {
    const c = await subscribedClaim();
    expect(c.jobs).toEqual([{ data: c.job }]);
    expect(await runPushJob(deps, c.job)).toBe("completed");
    const [stored] = await service.messages(c.browser.id);
    expect(stored).toMatchObject({
      ttl: 86_400,
      urgency: "normal",
      contentEncoding: "aes128gcm",
      topic: c.job.notificationId.replace(/-/g, ""),
    });
    expect(JSON.parse(decryptPush(stored?.body ?? "", c.browser.keys))).toEqual({
      title: "You claimed Test prize",
      body: c.notification?.body,
      link: `/redemptions/${c.notification?.redemptionId}`,
    });
    const row = await subscriptionRow(c.job.subscriptionId);
    expect(row?.lastSuccessAt).not.toBeNull();
    expect(row?.failureCount).toBe(0);
  });

  it("a push for an event the player turned off after it was queued stays home", async () => {
    const c = await subscribedClaim();
    await changeNotificationPreferences(
      db,
      c.playerId,
      { events: { confirmed: { push: false } } },
      { ip: "203.0.113.4", requestId: "req-push-off" },
    );
    expect(await runPushJob(deps, c.job)).toBe("completed");
    expect(await service.messages(c.browser.id)).toEqual([]);
  });

  it("a browser that unsubscribed (410) loses its subscription, and the job ends", async () => {
    const c = await subscribedClaim();
    await service.unsubscribe(c.browser.id);
    expect(await runPushJob(deps, c.job)).toBe("completed");
    expect(await subscriptionRow(c.job.subscriptionId)).toBeUndefined();
    expect(await getPushState(db, c.playerId, options)).toEqual({
      publicKey: vapid.publicKey,
      subscriptions: 0,
    });
  });

  it("429 and 5xx retry, and the push goes out once the service is back", async () => {
    const c = await subscribedClaim();
    await service.fault(c.browser.id, 429, 1);
    expect(await runPushJob(deps, c.job)).toBe("retry");
    await service.fault(c.browser.id, 503, 1);
    expect(await runPushJob(deps, c.job)).toBe("retry");
    expect((await subscriptionRow(c.job.subscriptionId))?.failureCount).toBe(2);
    expect(await service.messages(c.browser.id)).toEqual([]);
    expect(await runPushJob(deps, c.job)).toBe("completed");
    expect(await service.messages(c.browser.id)).toHaveLength(1);
    expect((await subscriptionRow(c.job.subscriptionId))?.failureCount).toBe(0);
  });

  it("a push signed with the wrong key is refused, and buried rather than retried", async () => {
    const c = await subscribedClaim();
    const other = webPush.generateVAPIDKeys();
    // The subscription was made for our key: another server's key is refused (403)…
    const stranger = { ...deps, vapid: { ...vapid, ...other } };
    expect(await runPushJob(stranger, c.job)).toBe("dead");
    // …and a JWT whose signature does not match the key it names, at once (401).
    const forged = { ...deps, vapid: { ...vapid, privateKey: other.privateKey } };
    expect(await runPushJob(forged, c.job)).toBe("dead");
    expect(await service.messages(c.browser.id)).toEqual([]);
    expect((await subscriptionRow(c.job.subscriptionId))?.failureCount).toBe(2);
  });

  it("a browser refusing every push is dropped after a few, not buried job after job", async () => {
    const c = await subscribedClaim();
    const stranger = { ...deps, vapid: { ...vapid, ...webPush.generateVAPIDKeys() } };
    for (let i = 1; i < MAX_REFUSALS; i++) expect(await runPushJob(stranger, c.job)).toBe("dead");
    expect(await runPushJob(stranger, c.job)).toBe("completed");
    expect(await subscriptionRow(c.job.subscriptionId)).toBeUndefined();
    expect(await getPushState(db, c.playerId, options)).toMatchObject({ subscriptions: 0 });
  });

  it("an accepted push starts the count again", async () => {
    const c = await subscribedClaim();
    const stranger = { ...deps, vapid: { ...vapid, ...webPush.generateVAPIDKeys() } };
    for (let i = 1; i < MAX_REFUSALS; i++) expect(await runPushJob(stranger, c.job)).toBe("dead");
    expect(await runPushJob(deps, c.job)).toBe("completed");
    expect(await runPushJob(stranger, c.job)).toBe("dead");
    expect((await subscriptionRow(c.job.subscriptionId))?.failureCount).toBe(1);
  });

  it("an endpoint taken over by another account gets none of the first one's pushes", async () => {
    const c = await subscribedClaim();
    const [other = ""] = await createPlayers(db, 1);
    await savePushSubscription(
      db,
      other,
      {
        endpoint: c.browser.endpoint,
        keys: { p256dh: c.browser.keys.p256dh, auth: c.browser.keys.auth },
      },
      options,
    );
    expect(await runPushJob(deps, c.job)).toBe("completed");
    expect(await service.messages(c.browser.id)).toEqual([]);
    expect((await getPushState(db, c.playerId, options)).subscriptions).toBe(0);
    expect((await getPushState(db, other, options)).subscriptions).toBe(1);
  });

  it("with push off on the server, a queued job is dropped, not retried forever", async () => {
    const c = await subscribedClaim();
    expect(await runPushJob({ ...deps, vapid: undefined }, c.job)).toBe("completed");
    expect(await service.messages(c.browser.id)).toEqual([]);
  });
});
