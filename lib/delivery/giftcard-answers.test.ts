/**
 * The client against answers no honest provider gives: each must become a DeliveryError that
 * says whether to retry, never a crash, a hang or a card taken from a body that is not ours.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { giftCardProvider } from "./giftcard-provider";
import { MAX_RETRY_AFTER_MS } from "./retry-after";

type Scripted = { status: number; headers?: Record<string, string>; body: string };
let next: Scripted;
const seen: http.IncomingHttpHeaders[] = [];
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on("end", () => {
      response.writeHead(next.status, { "content-type": "application/json", ...next.headers });
      response.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = () => giftCardProvider({ baseUrl, apiKey: "key", webhookSecret: "secret" });
const order = {
  externalId: "redemption-1",
  productId: "amazon-us",
  amountCents: 2_500,
  currency: "USD" as const,
  recipient: { name: "Alice", email: "alice@example.com" },
};
const executed = (overrides: Record<string, unknown> = {}) => ({
  order: {
    id: "ORD-1",
    external_id: "redemption-1",
    status: "EXECUTED",
    version: 1,
    created_at: "2026-12-05T20:00:00.000Z",
    updated_at: "2026-12-05T20:00:00.000Z",
    product_id: "amazon-us",
    value: { denomination: "25.00", currency_code: "USD" },
    recipient: { name: "Alice", email: "alice@example.com" },
    reward: { id: "RWD-1", code: "CODE", pin: null, link: "https://cards.example/r/1" },
    failure_reason: null,
    ...overrides,
  },
});

async function submitWith(answer: Scripted) {
  next = answer;
  try {
    return { outcome: await client().submit(order) };
  } catch (error) {
    return { error };
  }
}

describe("a provider's hostile answer", () => {
  it("is read when it is an honest one", async () => {
    const { outcome } = await submitWith({ status: 200, body: JSON.stringify(executed()) });
    expect(outcome).toMatchObject({ status: "delivered", reward: { code: "CODE" } });
    expect(seen.at(-1)?.authorization).toBe("Bearer key");
  });

  it("with a success status but no order of ours is a retryable invalid answer", async () => {
    for (const body of [
      "not json",
      "{}",
      JSON.stringify(executed({ external_id: "someone-else" })),
      JSON.stringify(executed({ reward: null })),
      JSON.stringify(
        executed({ reward: { id: "R", code: "C", pin: null, link: "javascript:alert(1)" } }),
      ),
      JSON.stringify(executed({ version: -1 })),
    ]) {
      const { error } = await submitWith({ status: 200, body });
      expect(error, body).toMatchObject({ code: "invalid_answer", retryable: true });
    }
  });

  it("that is too long is not read", async () => {
    const { error } = await submitWith({ status: 200, body: `"${"x".repeat(1_000_000)}"` });
    expect(error).toMatchObject({ code: "invalid_answer", retryable: true });
  });

  it("redirecting elsewhere is not followed", async () => {
    const { error } = await submitWith({
      status: 302,
      headers: { location: "http://127.0.0.1:9/steal" },
      body: "",
    });
    expect(error).toMatchObject({ code: "invalid_answer", retryable: true });
  });

  it("with a hostile Retry-After gets a clamped wait, or none", async () => {
    const huge = await submitWith({
      status: 429,
      headers: { "retry-after": "99999999999999999999" },
      body: "",
    });
    expect(huge.error).toMatchObject({ details: { retryAfterMs: MAX_RETRY_AFTER_MS } });
    const negative = await submitWith({ status: 503, headers: { "retry-after": "-1" }, body: "" });
    expect(negative.error).toMatchObject({ code: "provider_unavailable", retryable: true });
    expect((negative.error as { details: object }).details).not.toHaveProperty("retryAfterMs");
  });

  it("refusing with an unknown status is mapped by its class", async () => {
    expect((await submitWith({ status: 404, body: "" })).error).toMatchObject({
      code: "provider_rejected",
      retryable: false,
    });
    expect((await submitWith({ status: 599, body: "" })).error).toMatchObject({
      code: "provider_unavailable",
      retryable: true,
    });
  });

  it("to a lookup listing two orders for one id is an invalid answer", async () => {
    next = {
      status: 200,
      body: JSON.stringify({ orders: [executed().order, { ...executed().order, id: "ORD-2" }] }),
    };
    await expect(client().lookup("redemption-1")).rejects.toMatchObject({ code: "invalid_answer" });
  });
});

describe("an order the client will not send", () => {
  it("is refused for good before any request", async () => {
    const before = seen.length;
    for (const bad of [
      { ...order, amountCents: 0 },
      { ...order, amountCents: -100 },
      { ...order, amountCents: 12.5 },
      { ...order, amountCents: Number.MAX_SAFE_INTEGER + 2 },
      { ...order, externalId: "" },
      { ...order, externalId: "a\nb" },
      { ...order, recipient: { name: "A\u0000", email: "alice@example.com" } },
      { ...order, recipient: { name: "Alice", email: "not-an-email" } },
    ]) {
      await expect(client().submit(bad), JSON.stringify(bad)).rejects.toMatchObject({
        code: "provider_rejected",
        retryable: false,
      });
    }
    expect(seen.length).toBe(before);
  });
});

describe("a client configured wrongly", () => {
  it("is refused when made, not at its first delivery", () => {
    const config = { baseUrl, apiKey: "key", webhookSecret: "secret" };
    for (const timeoutMs of [0, -1, Number.NaN, 1.5]) {
      expect(() => giftCardProvider({ ...config, timeoutMs }), String(timeoutMs)).toThrow(
        /timeout/,
      );
    }
    expect(() => giftCardProvider({ ...config, baseUrl: "ftp://provider" })).toThrow(/URL/);
  });
});
