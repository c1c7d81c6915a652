import { createDecipheriv, createECDH, createHmac, randomBytes } from "node:crypto";
import { spawnService } from "./spawn-service";

/** A browser's side of a subscription: its P-256 key pair and auth secret (RFC 8291). */
export type BrowserKeys = { p256dh: string; auth: string; privateKey: string };

/** What the push service keeps of one push. */
export type StoredPush = {
  id: string;
  ttl: number;
  urgency: string;
  topic: string | null;
  contentEncoding: string;
  body: string;
};

export type RunningPushService = {
  url: string;
  /** A subscription as a browser would get it, with keys made here, so a test can decrypt. */
  subscribe(
    applicationServerKey?: string,
  ): Promise<{ id: string; endpoint: string; keys: BrowserKeys }>;
  /** The browser unsubscribed: pushes to it get 410 from now on. */
  unsubscribe(id: string): Promise<void>;
  /** The next `count` pushes to the subscription get `status`. */
  fault(id: string, status: number, count: number): Promise<void>;
  messages(id: string): Promise<StoredPush[]>;
  stop(): Promise<void>;
};

/** A fresh browser key pair, as PushManager.subscribe makes one (privateKey: the test's alone). */
export function makeBrowserKeys(): BrowserKeys {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return {
    p256dh: ecdh.getPublicKey().toString("base64url"),
    auth: randomBytes(16).toString("base64url"),
    privateKey: ecdh.getPrivateKey().toString("base64url"),
  };
}

/** The local push service (scripts/push-service.ts), a process of its own on `port` (any by default). */
export async function startPushService(options: { port?: number } = {}) {
  const { url, child, exited } = await spawnService("push service", "scripts/push-service.ts", {
    PUSH_SERVICE_PORT: String(options.port ?? 0),
  });
  const call = async (method: string, pathname: string, body?: unknown) => {
    const response = await fetch(`${url}${pathname}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${pathname}: ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
  const service: RunningPushService = {
    url,
    subscribe: async (applicationServerKey) => {
      const made = (await call("POST", "/subscriptions", { applicationServerKey })) as {
        id: string;
        endpoint: string;
      };
      return { ...made, keys: makeBrowserKeys() };
    },
    unsubscribe: async (id) => {
      await call("DELETE", `/subscriptions/${id}`);
    },
    fault: async (id, status, count) => {
      await call("POST", `/subscriptions/${id}/faults`, { status, count });
    },
    messages: (id) => call("GET", `/subscriptions/${id}/messages`),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
  return service;
}

const hmac = (key: Buffer, data: Buffer) => createHmac("sha256", key).update(data).digest();

/**
 * Decrypts a push's body as the browser does (RFC 8291, aes128gcm of RFC 8188): the test's
 * proof that what reached the push service is the notification, readable by that browser only.
 */
export function decryptPush(body: string, keys: BrowserKeys): string {
  const data = Buffer.from(body, "base64url");
  const salt = data.subarray(0, 16);
  const recordSize = data.readUInt32BE(16);
  const idLength = data[20] as number;
  const serverPublic = data.subarray(21, 21 + idLength);
  const ciphertext = data.subarray(21 + idLength);
  if (ciphertext.length > recordSize) throw new Error("more than one record");
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(Buffer.from(keys.privateKey, "base64url"));
  const shared = ecdh.computeSecret(serverPublic);
  const browserPublic = Buffer.from(keys.p256dh, "base64url");
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), browserPublic, serverPublic]);
  const ikm = hmac(
    hmac(Buffer.from(keys.auth, "base64url"), shared),
    Buffer.concat([keyInfo, Buffer.from([1])]),
  );
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from("Content-Encoding: aes128gcm\0\x01", "binary")).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from("Content-Encoding: nonce\0\x01", "binary")).subarray(0, 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  // The last record ends with the delimiter 2, then any zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("not the last record's delimiter");
  return padded.subarray(0, end).toString("utf8");
}
