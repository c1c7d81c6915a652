import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditEvents, jobOutbox, prizes, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { recordDeliveryStep } from "@/lib/delivery/deliveries";
import { getFairness, openSeed, setClientSeed } from "@/lib/fairness/seeds";
import { roundIntegers } from "@/lib/games/rng";
import { scratchTier } from "@/lib/games/scratch";
import { QUEUES } from "@/lib/jobs/queue";
import { playRound } from "@/lib/rounds/play-round";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { memoryLog } from "@/test/memory-log";
import { grantTestCoins } from "@/test/wallet";
import { emitWebhookEvents } from "./emit-events";
import { isPrivateAddress, parseEndpointUrl, safeLookup } from "./endpoint-address";
import {
  createWebhookEndpoint,
  listWebhookDeliveries,
  replayWebhookDelivery,
  rotateWebhookSecret,
  setWebhookEndpointEnabled,
} from "./endpoints";
import type { WebhookEventType } from "./model";
import { runWebhookJob } from "./send-webhook";

const db = connectTestDb();

/** A receiver that answers what `answer` says and keeps every request it got. */
type Received = { headers: http.IncomingHttpHeaders; body: string };
let receiver: http.Server;
let receiverUrl: string;
let received: Received[] = [];
let answer: (res: http.ServerResponse) => void = (res) => res.writeHead(204).end();

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

let adminId: string;
beforeEach(async () => {
  received = [];
  answer = (res) => res.writeHead(204).end();
  // Each test's endpoints only: earlier ones would get this test's events too.
  await db.update(webhookEndpoints).set({ enabled: false });
  [adminId = ""] = await createPlayers(db, 1);
});

const deps = (
  overrides: { allowPrivate?: boolean; timeoutMs?: number; now?: () => Date } = {},
) => ({
  db,
  log: memoryLog().log,
  allowPrivate: true,
  ...overrides,
});

async function endpointFor(eventTypes: WebhookEventType[], url = receiverUrl) {
  return createWebhookEndpoint(
    db,
    { url, eventTypes },
    { actorId: adminId },
    { allowPrivate: true },
  );
}

const deliveriesOf = (endpointId: string) =>
  db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));

/** Standard Webhooks verification, written from the specification for these tests. */
function verifies(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key)
    .update(`${r.headers["webhook-id"]}.${r.headers["webhook-timestamp"]}.${r.body}`)
    .digest("base64");
  return String(r.headers["webhook-signature"])
    .split(" ")
    .some((s) => s === `v1,${expected}`);
}

async function oneDelivery(type: WebhookEventType = "round.won_prize") {
  const { endpoint, secret } = await endpointFor([type]);
  await db.transaction((tx) => emitWebhookEvents(tx, [{ type, data: { roundId: "r-1" } }]));
  const [delivery] = await deliveriesOf(endpoint.id);
  if (!delivery) throw new Error("no delivery");
  return { endpoint, secret, delivery };
}

describe("emitting events", () => {
  it("writes a delivery and a job per subscribed endpoint in the claim's transaction", async () => {
    const subscribed = await endpointFor(["redemption.created", "drop.sold_out"]);
    const other = await endpointFor(["delivery.failed"]);
    const disabled = await endpointFor(["redemption.created"]);
    await setWebhookEndpointEnabled(db, disabled.endpoint.id, false, { actorId: adminId });

    const drop = await createTestDrop(db, { units: 1 });
    const [playerId = ""] = await createPlayers(db, 1);
    const claim = await claimDrop(db, { dropId: drop.dropId, playerId });

    const rows = await deliveriesOf(subscribed.endpoint.id);
    expect(rows.map((r) => r.type).sort()).toEqual(["drop.sold_out", "redemption.created"]);
    const created = rows.find((r) => r.type === "redemption.created");
    expect(created?.payload).toMatchObject({
      type: "redemption.created",
      data: { redemptionId: claim.redemption.id, playerId, dropId: drop.dropId },
    });
    expect(rows.find((r) => r.type === "drop.sold_out")?.payload).toMatchObject({
      data: { dropId: drop.dropId },
    });
    expect(created?.eventId).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(await deliveriesOf(other.endpoint.id)).toEqual([]);
    expect(await deliveriesOf(disabled.endpoint.id)).toEqual([]);
    const jobs = await db.select().from(jobOutbox).where(eq(jobOutbox.queue, "webhook"));
    expect(jobs.map((j) => j.data)).toEqual(
      expect.arrayContaining(rows.map((r) => ({ deliveryId: r.id }))),
    );
  });

  it("sends drop.sold_out only with the last unit", async () => {
    const { endpoint } = await endpointFor(["drop.sold_out"]);
    const drop = await createTestDrop(db, { units: 2 });
    const [a = "", b = ""] = await createPlayers(db, 2);
    await claimDrop(db, { dropId: drop.dropId, playerId: a });
    expect(await deliveriesOf(endpoint.id)).toEqual([]);
    await claimDrop(db, { dropId: drop.dropId, playerId: b });
    expect((await deliveriesOf(endpoint.id)).map((r) => r.type)).toEqual(["drop.sold_out"]);
  });

  it("sends delivery.succeeded and delivery.failed when a delivery settles", async () => {
    const { endpoint } = await endpointFor(["delivery.succeeded", "delivery.failed"]);
    const drop = await createTestDrop(db, { units: 2 });
    const [a = "", b = ""] = await createPlayers(db, 2);
    const first = await claimDrop(db, { dropId: drop.dropId, playerId: a });
    const second = await claimDrop(db, { dropId: drop.dropId, playerId: b });
    await db.transaction(async (tx) => {
      await recordDeliveryStep(tx, first.redemption.id, { status: "delivered", reference: "r1" });
      await recordDeliveryStep(tx, second.redemption.id, {
        status: "dead",
        errorCode: "provider_rejected",
        error: "no",
      });
      // A settled delivery does not move again, nor tell anyone twice.
      await recordDeliveryStep(tx, first.redemption.id, { status: "delivered", reference: "r1" });
    });
    const rows = await deliveriesOf(endpoint.id);
    expect(
      rows
        .map((r) => [r.type, (r.payload as { data: { redemptionId: string } }).data.redemptionId])
        .sort(),
    ).toEqual(
      [
        ["delivery.failed", second.redemption.id],
        ["delivery.succeeded", first.redemption.id],
      ].sort(),
    );
  });

  it("sends round.won_prize when a scratch card wins the instant-win item", async () => {
    const { endpoint } = await endpointFor(["round.won_prize"]);
    const [player = ""] = await createPlayers(db, 1, { identityDeclaredAt: new Date() });
    await grantTestCoins(db, player, "SC", 1_000);
    await getFairness(db, player);
    const [prize] = await db
      .insert(prizes)
      .values({ name: "Webhook instant prize", kind: "crypto", valueCents: 2_500, quantity: 1 })
      .returning({ id: prizes.id });
    const [item] = await db.execute<{ id: string }>(sql`
      insert into catalog_items (prize_id, price_sc, stock, instant_win)
      values (${prize?.id}, 5000, 1, true) returning id`);
    try {
      // A client seed under which the player's active seed plays the prize tier at nonce 0.
      const [seed] = await db.execute<{ server_seed: string }>(sql`
        select server_seed from fair_seeds where user_id = ${player} and status = 'active'`);
      const serverSeed = openSeed(seed?.server_seed ?? "");
      let clientSeed = "";
      for (let i = 0; !clientSeed; i++) {
        const [u] = roundIntegers(serverSeed, `prize-${i}`, 0, 1);
        if (scratchTier(u ?? 0)?.prize) clientSeed = `prize-${i}`;
      }
      await setClientSeed(db, player, clientSeed);
      const won = await playRound(db, {
        playerId: player,
        body: { game: "scratch", currency: "SC", stake: "1.00", params: {} },
        idempotencyKey: "webhook-prize",
      });
      const rows = await deliveriesOf(endpoint.id);
      expect(rows.map((r) => r.payload)).toEqual([
        expect.objectContaining({
          type: "round.won_prize",
          data: expect.objectContaining({
            roundId: won.round.id,
            playerId: player,
            prizeId: prize?.id,
            redemptionId: won.round.redemption?.id,
          }),
        }),
      ]);
    } finally {
      await db.execute(sql`update catalog_items set instant_win = false where id = ${item?.id}`);
    }
  });

  it("leaves nothing behind for a transaction that rolls back", async () => {
    const { endpoint } = await endpointFor(["round.won_prize"]);
    await expect(
      db.transaction(async (tx) => {
        await emitWebhookEvents(tx, [{ type: "round.won_prize", data: {} }]);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await deliveriesOf(endpoint.id)).toEqual([]);
  });
});

describe("sending", () => {
  it("signs per Standard Webhooks and is delivered on a 2xx", async () => {
    const { secret, delivery } = await oneDelivery();
    const now = new Date("2026-12-06T00:00:00Z");
    expect(
      await runWebhookJob(deps({ now: () => now }), {
        data: { deliveryId: delivery.id },
        retryCount: 0,
      }),
    ).toBe("completed");
    const [got] = received;
    expect(got?.headers).toMatchObject({
      "webhook-id": delivery.eventId,
      "webhook-timestamp": String(now.getTime() / 1000),
      "content-type": "application/json",
    });
    expect(got && verifies(secret, got)).toBe(true);
    expect(JSON.parse(got?.body ?? "")).toMatchObject({
      type: "round.won_prize",
      data: { roundId: "r-1" },
    });
    const [view] = await listWebhookDeliveries(db, delivery.endpointId);
    expect(view).toMatchObject({
      state: "delivered",
      attempts: [{ statusCode: 204, error: null, replay: false }],
    });

    // The queue may run a job twice: a delivered one is not sent again.
    await runWebhookJob(deps(), { data: { deliveryId: delivery.id }, retryCount: 0 });
    expect(received).toHaveLength(1);
  });

  it("retries anything but a 2xx, then is dead once the retries are spent", async () => {
    const { delivery } = await oneDelivery();
    answer = (res) => res.writeHead(500).end("down");
    const job = (retryCount: number) => ({ data: { deliveryId: delivery.id }, retryCount });
    expect(await runWebhookJob(deps(), job(0))).toBe("retry");
    expect((await listWebhookDeliveries(db, delivery.endpointId))[0]?.state).toBe("failed");
    answer = (res) => res.writeHead(302, { location: "http://169.254.169.254/" }).end();
    expect(await runWebhookJob(deps(), job(1))).toBe("retry");
    expect(await runWebhookJob(deps(), job(QUEUES.webhook.retryLimit))).toBe("dead");
    const [view] = await listWebhookDeliveries(db, delivery.endpointId);
    expect(view?.state).toBe("dead");
    expect(view?.attempts.map((a) => [a.statusCode, a.error])).toEqual([
      [500, null],
      [302, "redirect not followed"],
      [302, "redirect not followed"],
    ]);
    expect(received).toHaveLength(3);
  });

  it("records a connection refused and an answer that never comes as failed attempts", async () => {
    const { delivery } = await oneDelivery();
    answer = () => {};
    expect(
      await runWebhookJob(deps({ timeoutMs: 200 }), {
        data: { deliveryId: delivery.id },
        retryCount: 0,
      }),
    ).toBe("retry");
    await db
      .update(webhookEndpoints)
      .set({ url: "http://127.0.0.1:1/closed" })
      .where(eq(webhookEndpoints.id, delivery.endpointId));
    expect(await runWebhookJob(deps(), { data: { deliveryId: delivery.id }, retryCount: 1 })).toBe(
      "retry",
    );
    const [view] = await listWebhookDeliveries(db, delivery.endpointId);
    expect(view?.attempts.map((a) => a.statusCode)).toEqual([null, null]);
    expect(view?.attempts[0]?.error).toBe("no answer within 200 ms");
    expect(view?.attempts[1]?.error).toMatch(/ECONNREFUSED/);
  });

  it("reads no more than 64 KiB of an answer", async () => {
    const { delivery } = await oneDelivery();
    answer = (res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(1024 * 1024));
      // Left open: only a client that stops reading finishes.
    };
    expect(await runWebhookJob(deps(), { data: { deliveryId: delivery.id }, retryCount: 0 })).toBe(
      "completed",
    );
  });

  it("replays with the same webhook-id, as a new attempt, and audits it", async () => {
    const { delivery } = await oneDelivery();
    await runWebhookJob(deps(), { data: { deliveryId: delivery.id }, retryCount: 0 });
    await replayWebhookDelivery(db, delivery.id, { actorId: adminId });
    const [job] = await db
      .select()
      .from(jobOutbox)
      .where(
        sql`${jobOutbox.data} = ${JSON.stringify({ deliveryId: delivery.id, replay: true })}::jsonb`,
      );
    expect(job).toBeDefined();
    expect(
      await runWebhookJob(deps(), {
        data: job?.data as { deliveryId: string; replay: boolean },
        retryCount: 0,
      }),
    ).toBe("completed");
    expect(received.map((r) => r.headers["webhook-id"])).toEqual([
      delivery.eventId,
      delivery.eventId,
    ]);
    const [view] = await listWebhookDeliveries(db, delivery.endpointId);
    expect(view?.attempts.map((a) => a.replay)).toEqual([false, true]);
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.subject, `webhook_delivery:${delivery.id}`));
    expect(event).toMatchObject({ action: "webhook_replay", actorId: adminId, outcome: "ok" });
  });

  it("refuses to replay for a disabled endpoint, and a disabled endpoint's deliveries die unsent", async () => {
    const { delivery } = await oneDelivery();
    await setWebhookEndpointEnabled(db, delivery.endpointId, false, { actorId: adminId });
    await expect(
      replayWebhookDelivery(db, delivery.id, { actorId: adminId }),
    ).rejects.toMatchObject({
      code: "bad_request",
    });
    expect(await runWebhookJob(deps(), { data: { deliveryId: delivery.id }, retryCount: 0 })).toBe(
      "completed",
    );
    expect(received).toEqual([]);
    expect((await listWebhookDeliveries(db, delivery.endpointId))[0]?.state).toBe("dead");
  });

  it("signs with both secrets for a day after a rotation", async () => {
    const { secret: before, delivery } = await oneDelivery();
    const now = new Date();
    const { secret: after, endpoint } = await rotateWebhookSecret(
      db,
      delivery.endpointId,
      { actorId: adminId },
      now,
    );
    expect(after).not.toBe(before);
    expect(endpoint.previousSecretUntil).toBe(new Date(now.getTime() + 86_400_000).toISOString());
    await runWebhookJob(deps({ now: () => now }), {
      data: { deliveryId: delivery.id },
      retryCount: 0,
    });
    const [got] = received;
    expect(String(got?.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(got && verifies(before, got) && verifies(after, got)).toBe(true);

    await replayWebhookDelivery(db, delivery.id, { actorId: adminId });
    const later = new Date(now.getTime() + 86_400_001);
    await runWebhookJob(deps({ now: () => later }), {
      data: { deliveryId: delivery.id, replay: true },
      retryCount: 0,
    });
    const last = received[1];
    expect(last && verifies(after, last)).toBe(true);
    expect(last && verifies(before, last)).toBe(false);
  });
});

describe("endpoint addresses", () => {
  it("refuses private, loopback and link-local addresses unless allowed", () => {
    for (const url of [
      "http://127.0.0.1/x",
      "http://10.1.2.3/",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      // IPv4 inside IPv6: IPv4-compatible, 6to4 and local-use NAT64 reach the IPv4 host.
      "http://[::127.0.0.1]/",
      "http://[2002:a9fe:a9fe::1]/",
      "http://[64:ff9b:1::a9fe:a9fe]/",
      "http://localhost:3000/",
      "http://0.0.0.0/",
    ]) {
      expect(() => parseEndpointUrl(url, false), url).toThrow(/private or loopback/);
      expect(parseEndpointUrl(url, true).protocol).toBe("http:");
    }
    expect(parseEndpointUrl("https://93.184.215.14/hooks", false).hostname).toBe("93.184.215.14");
  });

  it("refuses what is not an http(s) URL, and credentials in it", () => {
    for (const url of [
      "ftp://example.com/",
      "javascript:alert(1)",
      "example.com/hooks",
      "file:///etc/passwd",
    ]) {
      expect(() => parseEndpointUrl(url, true), url).toThrow();
    }
    expect(() => parseEndpointUrl("https://user:pw@example.com/", true)).toThrow(/user name/);
  });

  it("classifies addresses", () => {
    expect(isPrivateAddress("8.8.8.8")).toBe(false);
    expect(isPrivateAddress("2606:4700::1111")).toBe(false);
    expect(isPrivateAddress("172.31.0.1")).toBe(true);
    expect(isPrivateAddress("100.64.0.1")).toBe(true);
    expect(isPrivateAddress("not an address")).toBe(true);
  });

  it("refuses a name that resolves to a private address when the request connects", async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      safeLookup("localhost", {}, (e) => resolve(e)),
    );
    expect(error?.code).toBe("EPRIVATE");
  });

  it("does not connect to a private address when they are not allowed", async () => {
    const { delivery } = await oneDelivery();
    expect(
      await runWebhookJob(deps({ allowPrivate: false }), {
        data: { deliveryId: delivery.id },
        retryCount: 0,
      }),
    ).toBe("retry");
    expect(received).toEqual([]);
  });

  it("refuses a private endpoint when it is created", async () => {
    await expect(
      createWebhookEndpoint(
        db,
        { url: receiverUrl, eventTypes: ["drop.sold_out"] },
        { actorId: adminId },
        { allowPrivate: false },
      ),
    ).rejects.toMatchObject({ code: "invalid_input", details: { field: "url" } });
  });
});
