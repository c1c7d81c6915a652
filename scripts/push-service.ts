/**
 * A local Web Push service (RFC 8030) as a process of its own, standing in for the browsers'
 * push services (FCM, Mozilla's autopush, Apple's), which this machine cannot reach. It takes
 * pushes the way they do and keeps them for a test to read and decrypt (test/push-service.ts).
 * PUSH_SERVICE_PORT (0: any free port; the line "listening on <url>" names it), and optionally
 * PUSH_SERVICE_STORE, a JSON file the subscriptions and messages are kept in.
 *
 *   POST   /subscriptions                {applicationServerKey?}  → 201 {id, endpoint}
 *   DELETE /subscriptions/<id>           the browser unsubscribed: pushes get 410 Gone
 *   POST   /subscriptions/<id>/faults    {status, count}: the next `count` pushes get `status`
 *   GET    /subscriptions/<id>/messages  what was pushed, bodies as base64url
 *   POST   /push/<id>                    a push: TTL required, Urgency, Content-Encoding
 *                                        aes128gcm, Authorization: vapid t=<JWT>, k=<key>
 *                                        (RFC 8292) → 201 with Location
 */
import { randomUUID, verify } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { p256PublicKey } from "../lib/push/p256-key";

type Message = {
  id: string;
  receivedAt: string;
  ttl: number;
  urgency: string;
  topic: string | null;
  contentEncoding: string;
  body: string;
};
type Subscription = {
  id: string;
  applicationServerKey: string | null;
  deleted: boolean;
  faults: { status: number; count: number } | null;
  messages: Message[];
};

const fail = (message: string): never => {
  console.error(`push-service: ${message}`);
  process.exit(1);
};
const port = Number(process.env.PUSH_SERVICE_PORT ?? "0");
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail("PUSH_SERVICE_PORT is a port");
const storeFile = process.env.PUSH_SERVICE_STORE?.trim() || undefined;
const MAX_BODY = 4096;
const MAX_JWT_LIFETIME_S = 24 * 60 * 60;
const URGENCIES = ["very-low", "low", "normal", "high"];

const subscriptions = new Map<string, Subscription>(
  storeFile && fs.existsSync(storeFile)
    ? (JSON.parse(fs.readFileSync(storeFile, "utf8")) as Subscription[]).map((s) => [s.id, s])
    : [],
);
function save(): void {
  if (!storeFile) return;
  fs.mkdirSync(path.dirname(storeFile), { recursive: true });
  fs.writeFileSync(`${storeFile}.tmp`, JSON.stringify([...subscriptions.values()]));
  fs.renameSync(`${storeFile}.tmp`, storeFile);
}

let origin = "";

const b64url = (text: string) => Buffer.from(text, "base64url");

/**
 * Why the VAPID header does not hold (RFC 8292), or null when it does: an ES256 JWT signed by
 * the key `k`, for this service's origin, expiring within a day, naming a contact, and from the
 * key the subscription was made for, if it was.
 */
function vapidProblem(header: string | undefined, sub: Subscription): [number, string] | null {
  const match = /^vapid\s+(.+)$/i.exec(header ?? "");
  if (!match?.[1]) return [401, "Authorization: vapid t=…, k=… is required"];
  const params = Object.fromEntries(
    match[1].split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    }),
  );
  const token = params.t;
  const key = params.k;
  if (!token || !key) return [401, "vapid needs t and k"];
  const [head, claims, signature] = token.split(".");
  if (!head || !claims || !signature) return [401, "t is not a JWT"];
  try {
    const header = JSON.parse(b64url(head).toString("utf8"));
    if (header.alg !== "ES256") return [401, "the JWT must be ES256"];
    const publicKey = p256PublicKey(b64url(key));
    const signed = Buffer.from(`${head}.${claims}`);
    const ok = verify(
      "sha256",
      signed,
      { key: publicKey, dsaEncoding: "ieee-p1363" },
      b64url(signature),
    );
    if (!ok) return [401, "the JWT's signature does not match k"];
    const body = JSON.parse(b64url(claims).toString("utf8"));
    const now = Math.floor(Date.now() / 1000);
    if (body.aud !== origin) return [401, `aud must be ${origin}`];
    if (typeof body.exp !== "number" || body.exp <= now) return [401, "the JWT has expired"];
    if (body.exp > now + MAX_JWT_LIFETIME_S) return [401, "exp is more than 24 hours away"];
    if (typeof body.sub !== "string" || !/^(mailto:|https:)/.test(body.sub)) {
      return [401, "sub must be a mailto: or https: contact"];
    }
  } catch {
    return [401, "the JWT cannot be read"];
  }
  if (sub.applicationServerKey && sub.applicationServerKey !== key) {
    return [403, "k is not the key this subscription was made for"];
  }
  return null;
}

function readBody(request: http.IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(null);
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function answer(response: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function handle(request: http.IncomingMessage, response: http.ServerResponse) {
  const url = new URL(request.url ?? "/", origin);
  const parts = url.pathname.split("/").filter(Boolean);
  const sub = parts[1] ? subscriptions.get(parts[1]) : undefined;
  if (request.method === "POST" && url.pathname === "/subscriptions") {
    const body = await readBody(request, MAX_BODY);
    const input = body?.length ? JSON.parse(body.toString("utf8")) : {};
    const id = randomUUID();
    subscriptions.set(id, {
      id,
      applicationServerKey: input.applicationServerKey ?? null,
      deleted: false,
      faults: null,
      messages: [],
    });
    save();
    return answer(response, 201, { id, endpoint: `${origin}/push/${id}` });
  }
  if (parts[0] === "subscriptions" && !sub) return answer(response, 404, { error: "no such" });
  if (sub && request.method === "DELETE" && parts.length === 2) {
    sub.deleted = true;
    save();
    return answer(response, 204);
  }
  if (sub && request.method === "POST" && parts[2] === "faults") {
    const body = await readBody(request, MAX_BODY);
    sub.faults = JSON.parse(body?.toString("utf8") || "null");
    save();
    return answer(response, 204);
  }
  if (sub && request.method === "GET" && parts[2] === "messages") {
    return answer(response, 200, sub.messages);
  }
  if (request.method === "POST" && parts[0] === "push" && parts.length === 2) {
    return receivePush(request, response, sub);
  }
  return answer(response, 404, { error: "not found" });
}

async function receivePush(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  sub: Subscription | undefined,
) {
  if (!sub) return answer(response, 404, { error: "no such subscription" });
  if (sub.deleted) return answer(response, 410, { error: "the subscription has expired" });
  const ttl = request.headers.ttl;
  if (typeof ttl !== "string" || !/^\d{1,10}$/.test(ttl)) {
    return answer(response, 400, { error: "TTL is required (RFC 8030 §5.2)" });
  }
  const urgency = (request.headers.urgency as string | undefined) ?? "normal";
  if (!URGENCIES.includes(urgency)) return answer(response, 400, { error: "bad Urgency" });
  const body = await readBody(request, MAX_BODY);
  if (!body) return answer(response, 413, { error: `at most ${MAX_BODY} bytes` });
  const problem = vapidProblem(request.headers.authorization, sub);
  if (problem) return answer(response, problem[0], { error: problem[1] });
  const encoding = request.headers["content-encoding"] ?? "";
  if (body.length > 0 && encoding !== "aes128gcm") {
    return answer(response, 415, { error: "Content-Encoding must be aes128gcm (RFC 8291)" });
  }
  if (sub.faults && sub.faults.count > 0) {
    sub.faults.count -= 1;
    save();
    return answer(response, sub.faults.status, { error: "fault injected" });
  }
  const message: Message = {
    id: randomUUID(),
    receivedAt: new Date().toISOString(),
    ttl: Number(ttl),
    urgency,
    topic: (request.headers.topic as string | undefined) ?? null,
    contentEncoding: encoding,
    body: body.toString("base64url"),
  };
  sub.messages.push(message);
  save();
  response.writeHead(201, { location: `${origin}/messages/${message.id}` }).end();
}

const server = http.createServer((request, response) => {
  handle(request, response).catch((error: Error) => {
    if (!response.headersSent) answer(response, 400, { error: error.message });
  });
});
server.on("error", (error) => fail(error.message));
server.listen(port, "127.0.0.1", () => {
  const { port: bound } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${bound}`;
  console.log(`[push-service] listening on ${origin}`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
