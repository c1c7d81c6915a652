import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { z } from "zod";
import { signWebhook } from "@/lib/payments/webhook-signature";
import { parseCoins } from "@/lib/wallet/model";
import { GIFTCARD_PRODUCTS } from "./giftcard-products";
import {
  defaultFaults,
  type Faults,
  faultsPatchSchema,
  GIFTCARD_SIGNATURE_HEADER,
  type Order,
  type OrderRequest,
  orderRequestSchema,
  type WebhookEvent,
} from "./giftcard-wire";
import { type JsonLinesStore, openJsonLinesStore } from "./json-lines-store";

/**
 * The local gift-card provider: a process of its own (scripts/giftcard-provider.ts) with its own
 * storage, behaving as Tremendous or Tango Card do, with knobs for the faults real providers
 * have (latency, 429, timeouts, 5xx, asynchronous completion, duplicate and out-of-order
 * webhooks). Orders are kept in an fsync'd JSON-lines file and reloaded at start; webhooks not
 * yet acknowledged are sent again after a restart. docs/delivery.md describes the API.
 */
export type GiftCardProviderOptions = {
  /** Callers of the API send it as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Guards /admin (the knobs, the counts); without it /admin does not exist. */
  adminToken?: string;
  /** Signs the webhooks (HMAC-SHA256 over timestamp and body). */
  webhookSecret: string;
  /** Where webhooks go; without it none is sent (reconciliation finds the outcomes). */
  webhookUrl?: string;
  /** Holds orders.jsonl. */
  dataDir: string;
  faults?: Partial<Faults>;
  /** This server's address as players reach it (the reward links); by default its own. */
  publicUrl?: string;
  log?: (line: string) => void;
  /** Delay before each further attempt to deliver a webhook. */
  webhookRetryDelaysMs?: number[];
};

/** The brands on sale, with the face values each takes (US cents). */

const MAX_BODY = 16 * 1024;
const DEFAULT_RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

/** What the file holds: each state of an order, with the webhooks it starts; and each ack. */
type StoredLine =
  | {
      t: "order";
      order: Order;
      /** Asynchronous orders only: what the order becomes when it completes. */
      outcome?: "EXECUTED" | "FAILED";
      /** Webhooks held back, to be sent after the outcome's (out-of-order faults). */
      held?: WebhookEvent[];
      events: WebhookEvent[];
    }
  | { t: "acked"; event: string };

type OrderRecord = {
  order: Order;
  outcome?: "EXECUTED" | "FAILED";
  held: WebhookEvent[];
  /** Settles when the order's first state is on disk: a replay answers only after it. */
  durable: Promise<void>;
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A generator of draws in [0, 1) from a seed: the same seed, the same faults in the same order. */
function seededDraws(seed: string): () => number {
  let counter = 0;
  return () =>
    createHash("sha256").update(`${seed}:${counter++}`).digest().readUInt32BE(0) / 2 ** 32;
}

function bearerMatches(header: string | undefined, secret: string): boolean {
  const given = Buffer.from(header ?? "");
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, "payload_too_large", `The body is over ${MAX_BODY} bytes`));
        request.pause();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** A JSON body of the schema's shape, or a 400 naming the first thing wrong. */
function parseBody<T>(raw: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ApiError(400, "invalid_request", "The body is not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "body";
    throw new ApiError(400, "invalid_request", `${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

/** 16 characters from an alphabet without look-alikes, in groups of four. */
function giftCode(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const chars = [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join("");
  return chars.match(/.{4}/g)?.join("-") ?? chars;
}

/** The fields that make two requests the same order: a different one under a used key is 409. */
function sameRequest(order: Order, request: OrderRequest): boolean {
  return (
    order.product_id === request.product_id &&
    order.value.denomination === request.value.denomination &&
    order.value.currency_code === request.value.currency_code &&
    order.recipient.name === request.recipient.name &&
    order.recipient.email === request.recipient.email
  );
}

const eventType = {
  PENDING: "ORDERS.CREATED",
  EXECUTED: "ORDERS.EXECUTED",
  FAILED: "ORDERS.FAILED",
  CANCELLED: "ORDERS.CANCELLED",
} as const;

function eventOf(order: Order): WebhookEvent {
  return {
    id: `EVT-${order.id}-${order.version}`,
    type: eventType[order.status],
    created_at: order.updated_at,
    data: { order },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export type GiftCardProviderServer = {
  server: http.Server;
  /** Stops listening, ends open connections and waits for the store's last write. */
  close(): Promise<void>;
};

export async function createGiftCardProviderServer(
  options: GiftCardProviderOptions,
): Promise<GiftCardProviderServer> {
  const log = options.log ?? (() => {});
  const retryDelays = options.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const faults: Faults = {
    ...defaultFaults,
    seed: randomBytes(8).toString("hex"),
    ...options.faults,
  };
  let draw = seededDraws(faults.seed);
  /** Whether this request (order, webhook) gets a fault of the given share. */
  const hit = (share: number) => draw() < share;

  const store: JsonLinesStore = await openJsonLinesStore(
    path.join(options.dataDir, "orders.jsonl"),
  );
  const orders = new Map<string, OrderRecord>();
  const byExternalId = new Map<string, OrderRecord>();
  const byRewardId = new Map<string, OrderRecord>();
  const acked = new Set<string>();
  const unsent: WebhookEvent[] = [];
  for (const line of store.records as StoredLine[]) {
    if (line.t === "acked") {
      acked.add(line.event);
      continue;
    }
    const record: OrderRecord = {
      order: line.order,
      outcome: line.outcome,
      held: line.held ?? [],
      durable: Promise.resolve(),
    };
    orders.set(line.order.id, record);
    byExternalId.set(line.order.external_id, record);
    if (line.order.reward) byRewardId.set(line.order.reward.id, record);
    unsent.push(...line.events);
  }
  const stats = { submissions: 0, replays: 0, cancellations: 0, webhooksSent: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const save = (line: StoredLine) => store.append(line);

  const postWebhook = async (webhookUrl: string, event: WebhookEvent): Promise<boolean> => {
    const body = JSON.stringify(event);
    try {
      const response = await fetch(webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [GIFTCARD_SIGNATURE_HEADER]: signWebhook(options.webhookSecret, body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      stats.webhooksSent++;
      await response.body?.cancel();
      if (response.ok) return true;
      log(`webhook ${event.id} answered ${response.status}`);
    } catch (error) {
      log(`webhook ${event.id} failed: ${(error as Error).message}`);
    }
    return false;
  };

  const deliver = async (webhookUrl: string, event: WebhookEvent): Promise<void> => {
    for (let attempt = 0; !closing; attempt++) {
      if (await postWebhook(webhookUrl, event)) {
        acked.add(event.id);
        await save({ t: "acked", event: event.id }).catch(() => {});
        if (hit(faults.shareDuplicateWebhooks)) await postWebhook(webhookUrl, event);
        return;
      }
      const delay = retryDelays[attempt];
      // Given up for now: it stays unacknowledged, and is sent again at the next start.
      if (delay === undefined) return;
      await sleep(delay);
    }
  };

  /** Each order's webhooks leave one after the other, in the order they were made. */
  const chains = new Map<string, Promise<void>>();
  const send = (orderId: string, events: WebhookEvent[]) => {
    const { webhookUrl } = options;
    const pending = events.filter((event) => !acked.has(event.id));
    if (pending.length === 0 || !webhookUrl) return;
    const chain = (chains.get(orderId) ?? Promise.resolve()).then(async () => {
      for (const event of pending) await deliver(webhookUrl, event);
    });
    chains.set(orderId, chain);
    void chain.finally(() => {
      if (chains.get(orderId) === chain) chains.delete(orderId);
    });
  };

  /**
   * Through changeOrder, which takes the new state before its write: a cancellation arriving
   * while the write is on its way waits for it and cancels the executed card. Written after its
   * write, the completion would overwrite that cancellation: a card issued after the cancel was
   * answered, at the cancellation's own version.
   */
  const complete = async (record: OrderRecord) => {
    const outcome = record.outcome;
    if (record.order.status !== "PENDING" || !outcome) return;
    const held = record.held;
    record.held = [];
    try {
      const order = await changeOrder(
        record,
        {
          status: outcome,
          reward: outcome === "EXECUTED" ? newReward(record.order.product_id) : null,
          failure_reason: outcome === "FAILED" ? "declined" : null,
        },
        (next) => [eventOf(next), ...held],
      );
      if (order.reward) byRewardId.set(order.reward.id, record);
    } catch (error) {
      record.held = [...held, ...record.held];
      throw error;
    }
  };

  const scheduleCompletion = (record: OrderRecord) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      complete(record).catch((error: Error) =>
        log(`completing ${record.order.id}: ${error.message}`),
      );
    }, faults.asyncDelayMs);
    timer.unref();
    timers.add(timer);
  };

  const publicUrl = () =>
    (options.publicUrl ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`).replace(
      /\/+$/,
      "",
    );

  const newReward = (productId: string): Order["reward"] => {
    const id = `RWD-${randomBytes(12).toString("hex")}`;
    const product = GIFTCARD_PRODUCTS.find((p) => p.id === productId);
    return {
      id,
      code: giftCode(),
      pin: product?.pin ? String(randomBytes(4).readUInt32BE(0) % 10_000).padStart(4, "0") : null,
      link: `${publicUrl()}/rewards/${id}`,
    };
  };

  /** POST /orders: the answer's status and body. */
  const createOrder = async (raw: string): Promise<[number, unknown]> => {
    const input = parseBody(raw, orderRequestSchema);
    stats.submissions++;
    const existing = byExternalId.get(input.external_id);
    if (existing) {
      if (!sameRequest(existing.order, input)) {
        throw new ApiError(409, "idempotency_conflict", "external_id was used with another order", {
          order: existing.order,
        });
      }
      await existing.durable;
      stats.replays++;
      return answerOf(existing.order);
    }
    const product = GIFTCARD_PRODUCTS.find((p) => p.id === input.product_id);
    if (!product) throw new ApiError(422, "product_not_found", "No such product");
    if (input.value.currency_code !== "USD") {
      throw new ApiError(422, "currency_not_supported", "Only USD is on sale");
    }
    const cents = parseCoins(input.value.denomination) ?? 0;
    if (cents < product.minCents || cents > product.maxCents) {
      throw new ApiError(422, "amount_out_of_range", `${product.name} takes other amounts`);
    }

    const failed = hit(faults.shareFailed);
    const later = hit(faults.shareAsync);
    const reorder = later && hit(faults.shareOutOfOrderWebhooks);
    const now = new Date().toISOString();
    const order: Order = {
      id: `ORD-${randomBytes(12).toString("hex")}`,
      external_id: input.external_id,
      status: later ? "PENDING" : failed ? "FAILED" : "EXECUTED",
      version: 1,
      created_at: now,
      updated_at: now,
      product_id: product.id,
      value: input.value,
      recipient: { name: input.recipient.name, email: input.recipient.email },
      reward: later || failed ? null : newReward(product.id),
      failure_reason: !later && failed ? "declined" : null,
      redeemed_at: null,
    };
    const first = eventOf(order);
    const line: StoredLine = {
      t: "order",
      order,
      ...(later ? { outcome: failed ? "FAILED" : "EXECUTED" } : {}),
      ...(reorder ? { held: [first] } : {}),
      events: reorder ? [] : [first],
    };
    // In the maps before the write, so a concurrent request with the same key finds this order
    // (and waits for the write) rather than making a second one.
    const record: OrderRecord = {
      order,
      outcome: line.outcome,
      held: line.held ?? [],
      durable: save(line),
    };
    orders.set(order.id, record);
    byExternalId.set(order.external_id, record);
    if (order.reward) byRewardId.set(order.reward.id, record);
    try {
      await record.durable;
    } catch (error) {
      orders.delete(order.id);
      byExternalId.delete(order.external_id);
      if (order.reward) byRewardId.delete(order.reward.id);
      throw error;
    }
    send(order.id, line.events);
    if (later) scheduleCompletion(record);
    return answerOf(order);
  };

  /** A new state of a stored order: in memory at once (what a concurrent request sees), then on disk. */
  const changeOrder = async (
    record: OrderRecord,
    change: Partial<Order>,
    events: (order: Order) => WebhookEvent[],
  ): Promise<Order> => {
    const before = record.order;
    const order: Order = {
      ...before,
      ...change,
      version: before.version + 1,
      updated_at: new Date().toISOString(),
    };
    const sent = events(order);
    record.order = order;
    record.durable = save({ t: "order", order, events: sent });
    try {
      await record.durable;
    } catch (error) {
      record.order = before;
      throw error;
    }
    send(order.id, sent);
    return order;
  };

  /**
   * POST /orders/{id}/cancel: a pending order never completes, an executed card stops working,
   * unless its card was redeemed already (409 order_redeemed). A cancelled order answers as it
   * is (idempotent); so does a failed one, which issued nothing to cancel.
   */
  const cancelOrder = async (orderId: string): Promise<[number, unknown]> => {
    const record = orders.get(orderId);
    if (!record) throw new ApiError(404, "not_found", "No such order");
    await record.durable;
    const { order } = record;
    if (order.status === "CANCELLED" || order.status === "FAILED") {
      // A cancellation in flight is answered once it is on disk.
      await record.durable;
      return [200, { order: record.order }];
    }
    if (order.redeemed_at) {
      throw new ApiError(409, "order_redeemed", "The card was redeemed: it cannot be cancelled", {
        order,
      });
    }
    // A held-back CREATED event still goes out, before the cancellation it precedes.
    const held = record.held;
    record.held = [];
    const cancelled = await changeOrder(record, { status: "CANCELLED" }, (next) => [
      ...held,
      eventOf(next),
    ]);
    stats.cancellations++;
    return [200, { order: cancelled }];
  };

  /** POST /admin/orders/{id}/redeem: the player spent the card (tests and demos say when). */
  const redeemOrder = async (orderId: string): Promise<[number, unknown]> => {
    const record = orders.get(orderId);
    if (!record) throw new ApiError(404, "not_found", "No such order");
    await record.durable;
    const { order } = record;
    if (order.redeemed_at) {
      await record.durable;
      return [200, { order: record.order }];
    }
    if (order.status !== "EXECUTED") {
      throw new ApiError(409, "not_redeemable", `A ${order.status} order has no card to redeem`);
    }
    return [
      200,
      { order: await changeOrder(record, { redeemed_at: new Date().toISOString() }, () => []) },
    ];
  };

  const answerOf = (order: Order): [number, unknown] => {
    if (order.status === "PENDING") return [202, { order }];
    if (order.status === "FAILED") {
      return [
        422,
        {
          error: { code: "order_failed", message: `The order failed: ${order.failure_reason}` },
          order,
        },
      ];
    }
    return [200, { order }];
  };

  const orderStats = () => {
    const byStatus = { PENDING: 0, EXECUTED: 0, FAILED: 0, CANCELLED: 0 };
    for (const record of orders.values()) byStatus[record.order.status]++;
    return {
      orders: orders.size,
      byStatus,
      submissions: stats.submissions,
      replays: stats.replays,
      cancellations: stats.cancellations,
      webhooks: { sent: stats.webhooksSent, acknowledged: acked.size },
      ordersWithWebhooksInFlight: chains.size,
    };
  };

  const handleAdmin = async (
    request: http.IncomingMessage,
    pathname: string,
  ): Promise<[number, unknown]> => {
    if (!options.adminToken) throw new ApiError(404, "not_found", "No such path");
    if (!bearerMatches(request.headers.authorization, options.adminToken)) {
      throw new ApiError(401, "unauthorized", "The admin token is missing or wrong");
    }
    if (pathname === "/admin/faults" && request.method === "GET") return [200, { faults }];
    if (pathname === "/admin/faults" && request.method === "PATCH") {
      const patch = parseBody(await readBody(request), faultsPatchSchema);
      Object.assign(faults, patch);
      if (patch.seed !== undefined) draw = seededDraws(patch.seed);
      log(`faults now ${JSON.stringify(faults)}`);
      return [200, { faults }];
    }
    if (pathname === "/admin/stats" && request.method === "GET") return [200, orderStats()];
    const redeemPath = /^\/admin\/orders\/([A-Za-z0-9-]{1,100})\/redeem$/.exec(pathname);
    if (redeemPath && request.method === "POST") return redeemOrder(redeemPath[1] as string);
    throw new ApiError(404, "not_found", "No such path");
  };

  /** Holds the answer for hangMs, or until the caller gives up. */
  const hang = (response: http.ServerResponse) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, faults.hangMs);
      timer.unref();
      response.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });

  const handleApi = async (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    url: URL,
  ): Promise<[number, unknown]> => {
    if (!bearerMatches(request.headers.authorization, options.apiKey)) {
      throw new ApiError(401, "unauthorized", "The API key is missing or wrong");
    }
    const delay = faults.latencyMs + Math.floor(draw() * (faults.jitterMs + 1));
    if (delay > 0) await sleep(delay);
    if (hit(faults.share429)) {
      throw new ApiError(429, "rate_limited", "Too many requests", {
        retryAfter: faults.retryAfterSeconds,
      });
    }
    if (hit(faults.share5xx)) throw new ApiError(503, "unavailable", "Try again later");
    let answer: [number, unknown];
    const orderPath = /^\/orders\/([A-Za-z0-9-]{1,100})$/.exec(url.pathname);
    const cancelPath = /^\/orders\/([A-Za-z0-9-]{1,100})\/cancel$/.exec(url.pathname);
    if (url.pathname === "/orders" && request.method === "POST") {
      answer = await createOrder(await readBody(request));
    } else if (url.pathname === "/orders" && request.method === "GET") {
      answer = [200, { orders: listOrders(url.searchParams) }];
    } else if (orderPath && request.method === "GET") {
      const record = orders.get(orderPath[1] as string);
      if (!record) throw new ApiError(404, "not_found", "No such order");
      answer = [200, { order: record.order }];
    } else if (cancelPath && request.method === "POST") {
      answer = await cancelOrder(cancelPath[1] as string);
    } else if (url.pathname === "/products" && request.method === "GET") {
      answer = [200, { products: GIFTCARD_PRODUCTS }];
    } else {
      throw new ApiError(404, "not_found", "No such path");
    }
    if (hit(faults.shareTimeout)) await hang(response);
    return answer;
  };

  const listOrders = (params: URLSearchParams): Order[] => {
    const externalId = params.get("external_id");
    if (externalId !== null) {
      const record = byExternalId.get(externalId);
      return record ? [record.order] : [];
    }
    const limit = Math.min(Math.max(Number(params.get("limit")) || 100, 1), 500);
    const offset = Math.max(Number(params.get("offset")) || 0, 0);
    return [...orders.values()].slice(offset, offset + limit).map((record) => record.order);
  };

  const rewardPage = (pathname: string): string | undefined => {
    const match = /^\/rewards\/(RWD-[0-9a-f]{24})$/.exec(pathname);
    const order = match ? byRewardId.get(match[1] as string)?.order : undefined;
    if (!order?.reward) return undefined;
    const product = GIFTCARD_PRODUCTS.find((p) => p.id === order.product_id);
    return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Your gift card</title></head>
<body style="font-family:system-ui,sans-serif;max-width:420px;margin:40px auto;padding:0 16px">
<h1>${escapeHtml(product?.name ?? order.product_id)} gift card</h1>
<p>$${escapeHtml(order.value.denomination)} for ${escapeHtml(order.recipient.name)}</p>
${
  order.status === "CANCELLED"
    ? `<p data-testid="reward-cancelled">This card was cancelled: it can no longer be used.</p>`
    : `<p>Code: <strong data-testid="reward-code">${escapeHtml(order.reward.code)}</strong></p>
${order.reward.pin ? `<p>PIN: <strong>${escapeHtml(order.reward.pin)}</strong></p>` : ""}`
}
</body></html>`;
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (response.destroyed || response.headersSent) return;
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(body));
    };
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://provider.invalid");
    } catch {
      return send(400, { error: { code: "invalid_request", message: "Bad request target" } });
    }
    try {
      if (url.pathname === "/health") return send(200, { ok: true });
      if (url.pathname.startsWith("/rewards/") && request.method === "GET") {
        const page = rewardPage(url.pathname);
        if (!page) throw new ApiError(404, "not_found", "No such reward");
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        response.end(page);
        return;
      }
      const [status, body] = url.pathname.startsWith("/admin/")
        ? await handleAdmin(request, url.pathname)
        : await handleApi(request, response, url);
      send(status, body);
    } catch (error) {
      if (error instanceof ApiError) {
        const { retryAfter, ...extra } = error.extra;
        send(
          error.status,
          { error: { code: error.code, message: error.message }, ...extra },
          retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
        );
        if (error.status === 413) request.destroy();
        return;
      }
      log(`request failed: ${(error as Error).message}`);
      send(500, { error: { code: "internal", message: "Something went wrong" } });
    }
  };

  const server = http.createServer((request, response) => void handle(request, response));

  // Once listening (the reward links need the port): what the last run left to do.
  server.once("listening", () => {
    for (const record of orders.values()) {
      if (record.order.status === "PENDING") scheduleCompletion(record);
    }
    const byOrder = new Map<string, WebhookEvent[]>();
    for (const event of unsent) {
      const orderId = event.data.order.id;
      byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), event]);
    }
    for (const [orderId, events] of byOrder) send(orderId, events);
  });

  return {
    server,
    async close() {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await store.close();
    },
  };
}
