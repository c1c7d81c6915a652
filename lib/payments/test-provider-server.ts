import { randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { formatCents } from "./model";
import { SIGNATURE_HEADER, signWebhook } from "./webhook-signature";

/**
 * The local test payment provider: a process of its own with its own storage (a JSON file), as
 * a card processor's test mode behaves. The app creates an intent (POST /v1/intents, with the
 * shared secret as its API key; the app's payment id is the idempotency key), sends the player to
 * the hosted confirm page (/pay/<intent>), where a test card succeeds or is declined, and learns
 * the outcome only from a signed webhook, sent after the player is redirected back and retried
 * until the app answers 2xx.
 */

type IntentStatus = "requires_confirmation" | "succeeded" | "failed";

export type Intent = {
  id: string;
  reference: string;
  amountCents: number;
  currency: string;
  description: string;
  returnUrl: string;
  status: IntentStatus;
  failureReason?: string;
  createdAt: string;
};

export type TestProviderOptions = {
  secret: string;
  /** Where webhooks go: the app's POST /api/v1/payments/webhook. */
  webhookUrl: string;
  /** The JSON file that keeps the intents across restarts. */
  storeFile: string;
  /** This server's address as browsers reach it (the confirm URLs it hands out); by default its own. */
  publicUrl?: string;
  log?: (line: string) => void;
  /** Delay before each webhook retry, by attempt. */
  retryDelaysMs?: number[];
};

const MAX_BODY = 16 * 1024;
const DEFAULT_RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function confirmPage(intent: Intent): string {
  const done = intent.status !== "requires_confirmation";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test payment</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f4f8;margin:0;padding:24px;color:#11131c}
main{max-width:420px;margin:40px auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 2px 12px #0001}
h1{font-size:20px;margin:0 0 4px}.amount{font-size:32px;font-weight:700;margin:16px 0}
.note{color:#555;font-size:14px}button{width:100%;padding:12px;margin-top:12px;font-size:16px;border-radius:8px;border:0;cursor:pointer}
.pay{background:#4338ca;color:#fff}.decline{background:#e5e7eb;color:#11131c}
</style></head><body><main>
<h1>Test payment provider</h1>
<p class="note">Test mode: no real card is charged.</p>
<p>${escapeHtml(intent.description)}</p>
<p class="amount" data-testid="provider-amount">$${formatCents(intent.amountCents)}</p>
${
  done
    ? `<p data-testid="provider-status">This payment has ${intent.status === "succeeded" ? "succeeded" : "failed"}.</p>
<p><a href="${escapeHtml(intent.returnUrl)}">Back to the shop</a></p>`
    : `<form method="post"><input type="hidden" name="outcome" value="succeed">
<button class="pay" type="submit">Pay with test card 4242 4242 4242 4242</button></form>
<form method="post"><input type="hidden" name="outcome" value="decline">
<button class="decline" type="submit">Use test card 4000 0000 0000 0002 (declined)</button></form>`
}
</main></body></html>`;
}

export function createTestProviderServer(options: TestProviderOptions): http.Server {
  const log = options.log ?? (() => {});
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const intents = new Map<string, Intent>();
  if (fs.existsSync(options.storeFile)) {
    for (const intent of JSON.parse(fs.readFileSync(options.storeFile, "utf8")) as Intent[]) {
      // Intents stored before currencies were kept were all in US dollars.
      intents.set(intent.id, { ...intent, currency: intent.currency ?? "usd" });
    }
  }
  const byReference = () => new Map([...intents.values()].map((i) => [i.reference, i]));
  const save = () => {
    fs.mkdirSync(path.dirname(options.storeFile), { recursive: true });
    const temp = `${options.storeFile}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify([...intents.values()], null, 1));
    fs.renameSync(temp, options.storeFile);
  };
  const authorised = (header: string | undefined) => {
    const given = Buffer.from(header ?? "");
    const expected = Buffer.from(`Bearer ${options.secret}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const deliver = async (intent: Intent, attempt = 0): Promise<void> => {
    const body = JSON.stringify({
      id: `evt_${intent.id}_${intent.status}`,
      type: intent.status === "succeeded" ? "payment.succeeded" : "payment.failed",
      data: {
        intent: intent.id,
        reference: intent.reference,
        amountCents: intent.amountCents,
        currency: intent.currency,
        ...(intent.failureReason ? { failureReason: intent.failureReason } : {}),
      },
    });
    try {
      const response = await fetch(options.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: signWebhook(options.secret, body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) {
        log(`webhook for ${intent.id} (${intent.status}) delivered`);
        return;
      }
      log(`webhook for ${intent.id} answered ${response.status}`);
    } catch (error) {
      log(`webhook for ${intent.id} failed: ${(error as Error).message}`);
    }
    const delay = delays[attempt];
    if (delay !== undefined) setTimeout(() => void deliver(intent, attempt + 1), delay).unref();
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://provider.invalid");
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/health") return send(200, { ok: true });
    if (url.pathname === "/v1/intents" && request.method === "POST") {
      if (!authorised(request.headers.authorization)) return send(401, { error: "unauthorised" });
      const input = JSON.parse(await readBody(request)) as Partial<Intent>;
      if (
        typeof input.reference !== "string" ||
        !Number.isSafeInteger(input.amountCents) ||
        (input.amountCents ?? 0) <= 0 ||
        typeof input.returnUrl !== "string" ||
        !/^https?:\/\//.test(input.returnUrl) ||
        typeof input.currency !== "string" ||
        !/^[A-Za-z]{3}$/.test(input.currency)
      ) {
        return send(400, {
          error: "reference, amountCents, currency and returnUrl are required",
        });
      }
      let intent = byReference().get(input.reference);
      if (!intent) {
        intent = {
          id: `pi_${randomBytes(12).toString("hex")}`,
          reference: input.reference,
          amountCents: input.amountCents as number,
          // Lower case, as card processors write it: the app compares without regard to case.
          currency: input.currency.toLowerCase(),
          description: String(input.description ?? "").slice(0, 200),
          returnUrl: input.returnUrl,
          status: "requires_confirmation",
          createdAt: new Date().toISOString(),
        };
        intents.set(intent.id, intent);
        save();
      }
      return send(200, {
        id: intent.id,
        status: intent.status,
        confirmUrl: `${publicUrl()}/pay/${intent.id}`,
      });
    }
    const pay = /^\/pay\/(pi_[0-9a-f]{24})$/.exec(url.pathname);
    const intent = pay ? intents.get(pay[1] as string) : undefined;
    if (!intent) return send(404, { error: "no such intent" });
    if (request.method === "POST") {
      const outcome = new URLSearchParams(await readBody(request)).get("outcome");
      if (
        intent.status === "requires_confirmation" &&
        (outcome === "succeed" || outcome === "decline")
      ) {
        intent.status = outcome === "succeed" ? "succeeded" : "failed";
        if (outcome === "decline") intent.failureReason = "card_declined";
        save();
        // After the player is on their way back, as a processor confirms: asynchronously.
        setTimeout(() => void deliver(intent), 50).unref();
      }
      response.writeHead(303, { location: intent.returnUrl });
      response.end();
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(confirmPage(intent));
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      log(`request failed: ${error.message}`);
      if (!response.headersSent) response.writeHead(400, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "bad request" }));
    });
  });
  const publicUrl = () =>
    options.publicUrl ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return server;
}
