/**
 * The client against the real local provider: a process of its own started by `npm run
 * giftcard-provider`'s script, its knobs set per test (shares of 0 or 1, never chance).
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signWebhook } from "@/lib/payments/webhook-signature";
import { freePort } from "@/scripts/lib/free-port";
import {
  type ReceivedWebhook,
  type RunningGiftCardProvider,
  startGiftCardProvider,
  startWebhookReceiver,
  TEST_GIFTCARD_API_KEY,
  TEST_GIFTCARD_WEBHOOK_SECRET,
} from "@/test/giftcard-provider";
import { waitFor } from "@/test/wait-for";
import { giftCardProvider } from "./giftcard-provider";
import { defaultFaults, GIFTCARD_SIGNATURE_HEADER } from "./giftcard-wire";
import {
  type DeliveryError,
  type DeliveryEvent,
  type DeliveryOrder,
  isNewerState,
  type ProviderOrderState,
} from "./model";

let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let running: RunningGiftCardProvider;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  running = await startGiftCardProvider({ webhookUrl: receiver.url });
});

afterAll(async () => {
  await running?.stop();
  await receiver?.close();
  if (running) fs.rmSync(running.dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await running.setFaults(defaultFaults);
});

function anOrder(overrides: Partial<DeliveryOrder> = {}): DeliveryOrder {
  return {
    externalId: randomUUID(),
    productId: "amazon-us",
    amountCents: 2_500,
    currency: "USD",
    recipient: { name: "Alice Example", email: "alice@example.com" },
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    return error as DeliveryError;
  }
  throw new Error("it did not fail");
}

function webhooksFor(externalId: string): ReceivedWebhook[] {
  return receiver.received.filter(
    (webhook) => JSON.parse(webhook.body).data.order.external_id === externalId,
  );
}

async function awaitWebhooks(externalId: string, count: number): Promise<DeliveryEvent[]> {
  const webhooks = await waitFor(async () => {
    const found = webhooksFor(externalId);
    return found.length >= count && found;
  });
  return webhooks.map((webhook) => running.provider.verifyWebhook(webhook.raw, webhook.headers));
}

/** What a consumer that applies only newer states keeps, and how many events changed it. */
function applyInOrder(events: DeliveryEvent[]): {
  state: ProviderOrderState | null;
  changes: number;
} {
  let state: ProviderOrderState | null = null;
  let changes = 0;
  for (const event of events) {
    if (isNewerState(state, event.order)) {
      state = event.order;
      changes++;
    }
  }
  return { state, changes };
}

describe("a gift card ordered synchronously", () => {
  it("is delivered at once: the code in the answer, on the reward's page and in a lookup", async () => {
    const order = anOrder();
    const outcome = await running.provider.submit(order);
    if (outcome.status !== "delivered") throw new Error(`not delivered: ${outcome.status}`);
    expect(outcome.reward.code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    const page = await fetch(outcome.reward.link ?? "").then((response) => response.text());
    expect(page).toContain(outcome.reward.code);
    const found = await running.provider.lookup(order.externalId);
    expect(found).toMatchObject({
      reference: outcome.reference,
      externalId: order.externalId,
      status: "delivered",
      reward: outcome.reward,
    });
    const [event] = await awaitWebhooks(order.externalId, 1);
    expect(event?.order).toMatchObject({ status: "delivered", version: 1 });
  });

  it("submitted again under the same id, returns the same card and orders nothing more", async () => {
    const order = anOrder();
    const first = await running.provider.submit(order);
    const before = await running.stats();
    const again = await running.provider.submit(order);
    expect(again).toEqual(first);
    const after = await running.stats();
    expect(after.orders).toBe(before.orders);
    expect(after.replays).toBe(before.replays + 1);
  });

  it("submitted five times at once, makes one order and answers each with its card", async () => {
    const order = anOrder();
    const before = await running.stats();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => running.provider.submit(order)),
    );
    expect(new Set(outcomes.map((outcome) => JSON.stringify(outcome))).size).toBe(1);
    expect((await running.stats()).orders).toBe(before.orders + 1);
  });

  it("under the same id with another body is refused for good, and the first order stands", async () => {
    const order = anOrder();
    const first = await running.provider.submit(order);
    const error = await failureOf(running.provider.submit({ ...order, amountCents: 5_000 }));
    expect(error).toMatchObject({ code: "idempotency_conflict", retryable: false });
    expect((await running.provider.lookup(order.externalId))?.reference).toBe(first.reference);
  });

  it("is refused for good when the provider will not take it or the key is wrong", async () => {
    expect(
      await failureOf(running.provider.submit(anOrder({ productId: "no-such-brand" }))),
    ).toMatchObject({ code: "provider_rejected", retryable: false, details: { status: 422 } });
    expect(await failureOf(running.provider.submit(anOrder({ amountCents: 50 })))).toMatchObject({
      code: "provider_rejected",
      retryable: false,
    });
    const wrongKey = giftCardProvider({
      baseUrl: running.url,
      apiKey: "not-the-key",
      webhookSecret: TEST_GIFTCARD_WEBHOOK_SECRET,
    });
    expect(await failureOf(wrongKey.submit(anOrder()))).toMatchObject({
      code: "provider_unauthorised",
      retryable: false,
    });
  });

  it("that the provider fails is a permanent failure naming the order", async () => {
    await running.setFaults({ shareFailed: 1 });
    const order = anOrder();
    const error = await failureOf(running.provider.submit(order));
    expect(error).toMatchObject({ code: "order_failed", retryable: false });
    const found = await running.provider.lookup(order.externalId);
    expect(found).toMatchObject({ status: "failed", failureReason: "declined" });
    expect(error.details.reference).toBe(found?.reference);
  });

  it("finds nothing for an id never ordered", async () => {
    expect(await running.provider.lookup(randomUUID())).toBeNull();
  });
});

describe("a gift card cancelled (a reversed redemption)", () => {
  it("stops working once executed: announced by a signed webhook, its page void", async () => {
    const order = anOrder();
    const outcome = await running.provider.submit(order);
    if (outcome.status !== "delivered" || !outcome.reward.link) throw new Error("not delivered");
    const cancelled = await running.provider.cancel(order.externalId);
    expect(cancelled).toMatchObject({
      status: "cancelled",
      order: { reference: outcome.reference, status: "cancelled", version: 2 },
    });
    // Idempotent: cancelled again, or twice at once, it stays the same order at the same version.
    const again = await Promise.all([1, 2].map(() => running.provider.cancel(order.externalId)));
    expect(again).toEqual([cancelled, cancelled]);
    expect(await running.provider.lookup(order.externalId)).toEqual(cancelled.order);
    const events = await awaitWebhooks(order.externalId, 2);
    expect(events.map((event) => [event.order.status, event.order.version])).toEqual([
      ["delivered", 1],
      ["cancelled", 2],
    ]);
    const page = await (await fetch(outcome.reward.link)).text();
    expect(page).toContain("This card was cancelled");
    expect(page).not.toContain(outcome.reward.code);
    // Submitted again, the order stands cancelled: no card comes back, none is made.
    expect(await running.provider.submit(order)).toEqual({
      status: "submitted",
      reference: outcome.reference,
    });
  });

  it("never completes when cancelled while pending", async () => {
    await running.setFaults({ shareAsync: 1, asyncDelayMs: 600_000 });
    const order = anOrder();
    expect((await running.provider.submit(order)).status).toBe("submitted");
    expect(await running.provider.cancel(order.externalId)).toMatchObject({
      status: "cancelled",
      order: { status: "cancelled", version: 2, reward: null },
    });
  });

  it("cannot be cancelled once redeemed", async () => {
    const order = anOrder();
    const outcome = await running.provider.submit(order);
    await running.redeem(outcome.reference);
    expect(await running.provider.cancel(order.externalId)).toMatchObject({
      status: "not_cancellable",
      reason: "redeemed",
      order: { reference: outcome.reference, status: "delivered" },
    });
    expect((await running.provider.lookup(order.externalId))?.status).toBe("delivered");
  });

  it("is nothing to cancel when never ordered or failed", async () => {
    expect(await running.provider.cancel(randomUUID())).toEqual({
      status: "cancelled",
      order: null,
    });
    await running.setFaults({ shareFailed: 1 });
    const order = anOrder();
    await failureOf(running.provider.submit(order));
    expect(await running.provider.cancel(order.externalId)).toMatchObject({
      status: "cancelled",
      order: { status: "failed" },
    });
  });

  it("is refused for retry while the provider is down", async () => {
    const order = anOrder();
    await running.provider.submit(order);
    await running.setFaults({ share5xx: 1 });
    expect(await failureOf(running.provider.cancel(order.externalId))).toMatchObject({
      code: "provider_unavailable",
      retryable: true,
    });
    await running.setFaults({ share5xx: 0 });
    expect((await running.provider.cancel(order.externalId)).status).toBe("cancelled");
  });
});

describe("a gift card completed asynchronously", () => {
  beforeEach(async () => {
    await running.setFaults({ shareAsync: 1, asyncDelayMs: 50 });
  });

  it("is submitted, then announced by signed webhooks: created, then executed", async () => {
    const order = anOrder();
    const outcome = await running.provider.submit(order);
    expect(outcome.status).toBe("submitted");
    const events = await awaitWebhooks(order.externalId, 2);
    expect(events.map((event) => [event.order.status, event.order.version])).toEqual([
      ["submitted", 1],
      ["delivered", 2],
    ]);
    const delivered = events[1]?.order;
    expect(delivered?.reference).toBe(outcome.reference);
    expect(delivered?.reward?.code).toBeTruthy();
    expect(await running.provider.lookup(order.externalId)).toEqual(delivered);
    // Submitted again once executed: the card, at once.
    expect(await running.provider.submit(order)).toEqual({
      status: "delivered",
      reference: outcome.reference,
      reward: delivered?.reward,
    });
  });

  it("that fails is announced as failed", async () => {
    await running.setFaults({ shareFailed: 1 });
    const order = anOrder();
    expect((await running.provider.submit(order)).status).toBe("submitted");
    const events = await awaitWebhooks(order.externalId, 2);
    expect(events[1]?.order).toMatchObject({ status: "failed", version: 2, reward: null });
  });

  it("with every webhook sent twice: the copies change nothing", async () => {
    await running.setFaults({ shareDuplicateWebhooks: 1 });
    const order = anOrder();
    await running.provider.submit(order);
    const events = await awaitWebhooks(order.externalId, 4);
    expect(events.map((event) => event.order.version)).toEqual([1, 1, 2, 2]);
    expect(events[0]?.eventId).toBe(events[1]?.eventId);
    const { state, changes } = applyInOrder(events);
    expect(changes).toBe(2);
    expect(state?.status).toBe("delivered");
  });

  it("with the created webhook held back until after the executed one: the older is ignored", async () => {
    await running.setFaults({ shareOutOfOrderWebhooks: 1 });
    const order = anOrder();
    await running.provider.submit(order);
    const events = await awaitWebhooks(order.externalId, 2);
    expect(events.map((event) => event.order.status)).toEqual(["delivered", "submitted"]);
    const { state, changes } = applyInOrder(events);
    expect(changes).toBe(1);
    expect(state).toMatchObject({ status: "delivered", version: 2 });
  });
});

describe("a webhook", () => {
  let genuine: ReceivedWebhook;

  beforeAll(async () => {
    await running.setFaults(defaultFaults);
    const order = anOrder();
    await running.provider.submit(order);
    await awaitWebhooks(order.externalId, 1);
    genuine = webhooksFor(order.externalId)[0] as ReceivedWebhook;
  });

  const refusal = (body: string, headers: Headers, now?: Date) => {
    try {
      running.provider.verifyWebhook(Buffer.from(body), headers, now);
    } catch (error) {
      return (error as DeliveryError).code;
    }
    return "accepted";
  };
  const signed = (signature: string) => new Headers({ [GIFTCARD_SIGNATURE_HEADER]: signature });

  it("is accepted as sent, and refused with a changed body, another secret or no signature", () => {
    expect(refusal(genuine.body, genuine.headers)).toBe("accepted");
    const changed = genuine.body.replace(/"code":"[^"]+"/, '"code":"AAAA-BBBB-CCCC-DDDD"');
    expect(refusal(changed, genuine.headers)).toBe("invalid_signature");
    const otherSecret = signWebhook("another-secret-of-32-characters-long", genuine.body);
    expect(refusal(genuine.body, signed(otherSecret))).toBe("invalid_signature");
    expect(refusal(genuine.body, new Headers())).toBe("invalid_signature");
    expect(refusal(genuine.body, signed("t=abc,v1=zz"))).toBe("invalid_signature");
  });

  it("replayed after the tolerance is refused", () => {
    const later = new Date(Date.now() + 10 * 60_000);
    expect(refusal(genuine.body, genuine.headers, later)).toBe("invalid_signature");
  });

  it("signed but not an event is refused as such", () => {
    for (const body of ["not json", "{}", '{"id":"x","type":"ORDERS.EXECUTED"}']) {
      expect(refusal(body, signed(signWebhook(TEST_GIFTCARD_WEBHOOK_SECRET, body)))).toBe(
        "invalid_webhook",
      );
    }
    // The signature covers the bytes as sent: a byte-order mark signed with them is kept, and
    // is then no JSON.
    const marked = `\uFEFF${genuine.body}`;
    expect(refusal(marked, signed(signWebhook(TEST_GIFTCARD_WEBHOOK_SECRET, marked)))).toBe(
      "invalid_webhook",
    );
    const executedWithoutCard = JSON.parse(genuine.body);
    executedWithoutCard.data.order.reward = null;
    const body = JSON.stringify(executedWithoutCard);
    expect(refusal(body, signed(signWebhook(TEST_GIFTCARD_WEBHOOK_SECRET, body)))).toBe(
      "invalid_webhook",
    );
  });
});

describe("a provider in trouble", () => {
  it("answering 429 asks for a retry after its Retry-After, and orders nothing", async () => {
    await running.setFaults({ share429: 1, retryAfterSeconds: 7 });
    const order = anOrder();
    const before = await running.stats();
    const error = await failureOf(running.provider.submit(order));
    expect(error).toMatchObject({
      code: "provider_rate_limited",
      retryable: true,
      details: { status: 429, retryAfterMs: 7_000 },
    });
    expect((await running.stats()).orders).toBe(before.orders);
    await running.setFaults({ share429: 0 });
    expect((await running.provider.submit(order)).status).toBe("delivered");
  });

  it("answering 5xx asks for a retry, and orders nothing", async () => {
    await running.setFaults({ share5xx: 1 });
    const before = await running.stats();
    const error = await failureOf(running.provider.submit(anOrder()));
    expect(error).toMatchObject({
      code: "provider_unavailable",
      retryable: true,
      details: { status: 503 },
    });
    expect(await failureOf(running.provider.lookup(randomUUID()))).toMatchObject({
      code: "provider_unavailable",
    });
    expect((await running.stats()).orders).toBe(before.orders);
  });

  it("not answering in time asks for a retry, which finds the order it made", async () => {
    await running.setFaults({ shareTimeout: 1, hangMs: 600_000 });
    const impatient = giftCardProvider({
      baseUrl: running.url,
      apiKey: TEST_GIFTCARD_API_KEY,
      webhookSecret: TEST_GIFTCARD_WEBHOOK_SECRET,
      timeoutMs: 2_000,
    });
    const order = anOrder();
    const before = await running.stats();
    expect(await failureOf(impatient.submit(order))).toMatchObject({
      code: "provider_timeout",
      retryable: true,
    });
    await running.setFaults({ shareTimeout: 0 });
    const made = await waitFor(() => impatient.lookup(order.externalId));
    const retried = await impatient.submit(order);
    expect(retried).toMatchObject({ status: "delivered", reference: made.reference });
    const after = await running.stats();
    expect(after.orders).toBe(before.orders + 1);
    expect(after.replays).toBe(before.replays + 1);
  });

  it("that is not there asks for a retry", async () => {
    const nowhere = giftCardProvider({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      apiKey: TEST_GIFTCARD_API_KEY,
      webhookSecret: TEST_GIFTCARD_WEBHOOK_SECRET,
    });
    expect(await failureOf(nowhere.submit(anOrder()))).toMatchObject({
      code: "provider_unavailable",
      retryable: true,
    });
  });

  it("stops when the caller gives up", async () => {
    await running.setFaults({ shareTimeout: 1, hangMs: 60_000 });
    const controller = new AbortController();
    const submitting = failureOf(running.provider.submit(anOrder(), { signal: controller.signal }));
    controller.abort();
    expect(await submitting).toMatchObject({ code: "aborted", retryable: true });
  });
});

describe("the provider's knobs", () => {
  it("need the admin token and refuse values out of range", async () => {
    const patch = (authorization: string, body: string) =>
      fetch(`${running.url}/admin/faults`, {
        method: "PATCH",
        headers: { authorization },
        body,
      }).then((response) => response.status);
    expect(await patch(`Bearer ${TEST_GIFTCARD_API_KEY}`, '{"share5xx":1}')).toBe(401);
    expect(await patch("", '{"share5xx":1}')).toBe(401);
    const admin = "Bearer test-giftcard-admin-token";
    for (const bad of ['{"share5xx":2}', '{"latencyMs":-1}', '{"nope":1}', "[", '"x"']) {
      expect(await patch(admin, bad), bad).toBe(400);
    }
    expect((await running.provider.submit(anOrder())).status).toBe("delivered");
  });
});

describe("the provider's API, called badly", () => {
  it("refuses a body too large, not JSON or of the wrong shape, and a request without the key", async () => {
    const post = (body: string, authorization = `Bearer ${TEST_GIFTCARD_API_KEY}`) =>
      fetch(`${running.url}/orders`, { method: "POST", headers: { authorization }, body }).then(
        async (response) => [response.status, (await response.json()).error?.code],
      );
    expect(await post("x".repeat(20_000))).toEqual([413, "payload_too_large"]);
    expect(await post("[")).toEqual([400, "invalid_request"]);
    expect(await post('{"external_id":"a"}')).toEqual([400, "invalid_request"]);
    const valid = JSON.stringify({
      external_id: randomUUID(),
      product_id: "amazon-us",
      value: { denomination: "25.00", currency_code: "USD" },
      recipient: { name: "Alice", email: "alice@example.com" },
    });
    expect(await post(valid.replace('"25.00"', "25"))).toEqual([400, "invalid_request"]);
    expect(await post(valid.replace('"USD"', '"EUR"'))).toEqual([422, "currency_not_supported"]);
    expect(await post(valid, "Bearer wrong")).toEqual([401, "unauthorized"]);
    expect(await post(valid, "")).toEqual([401, "unauthorized"]);
  });
});

describe("a restart of the provider", () => {
  it("keeps its orders, answers a repeated submit with the same card and finishes what was pending", async () => {
    const first = await startGiftCardProvider({ webhookUrl: receiver.url });
    const done = anOrder();
    const delivered = await first.provider.submit(done);
    await first.setFaults({ shareAsync: 1, asyncDelayMs: 600_000 });
    const pending = anOrder();
    expect((await first.provider.submit(pending)).status).toBe("submitted");
    await awaitWebhooks(pending.externalId, 1);
    // As a crash: nothing is flushed on the way out.
    await first.stop("SIGKILL");
    await expect(fetch(`${first.url}/health`)).rejects.toThrow();

    const second = await startGiftCardProvider({
      dataDir: first.dataDir,
      webhookUrl: receiver.url,
      faults: { asyncDelayMs: 50 },
    });
    try {
      expect(await second.provider.submit(done)).toEqual(delivered);
      expect((await second.stats()).orders).toBe(2);
      // The created webhook may come again: the kill may have beaten the record of its ack.
      const executed = await waitFor(async () =>
        webhooksFor(pending.externalId)
          .map((webhook) => second.provider.verifyWebhook(webhook.raw, webhook.headers))
          .find((event) => event.order.status === "delivered"),
      );
      expect(executed.order.version).toBe(2);
      expect(await second.provider.lookup(pending.externalId)).toEqual(executed.order);
    } finally {
      await second.stop();
      fs.rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});
