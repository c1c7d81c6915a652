import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { giftCardProvider } from "@/lib/delivery/giftcard-provider";
import type { Faults } from "@/lib/delivery/giftcard-wire";
import type { DeliveryProvider } from "@/lib/delivery/model";
import { spawnService } from "./spawn-service";

export const TEST_GIFTCARD_API_KEY = "test-giftcard-api-key";
export const TEST_GIFTCARD_WEBHOOK_SECRET = "test-giftcard-webhook-secret-of-32-characters";
const ADMIN_TOKEN = "test-giftcard-admin-token";

export type RunningGiftCardProvider = {
  url: string;
  /** The provider's process (for its CPU time in benchmarks). */
  pid: number;
  dataDir: string;
  /** The client, pointed at this process. */
  provider: DeliveryProvider;
  setFaults(patch: Partial<Faults>): Promise<void>;
  stats(): Promise<{ orders: number; submissions: number; replays: number }>;
  /** The player spends the card of this order at the brand's shop: it can no longer be cancelled. */
  redeem(orderId: string): Promise<void>;
  /** Ends the process (SIGKILL: as a crash) and waits for it to be gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
};

/**
 * The local gift-card provider as `npm run giftcard-provider` runs it, a process of its own on a
 * port it picks, its store in `dataDir` (a new temporary folder by default; pass the folder of a
 * stopped one to restart it).
 */
export async function startGiftCardProvider(
  options: {
    dataDir?: string;
    webhookUrl?: string;
    faults?: Partial<Faults>;
    /** The client's timeout. */
    timeoutMs?: number;
    /** A port of its own (to come back on after a crash); any free one by default. */
    port?: number;
  } = {},
): Promise<RunningGiftCardProvider> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "giftcard-"));
  const { url, child, exited } = await spawnService(
    "gift-card provider",
    "scripts/giftcard-provider.ts",
    {
      GIFTCARD_PORT: String(options.port ?? 0),
      GIFTCARD_API_KEY: TEST_GIFTCARD_API_KEY,
      GIFTCARD_WEBHOOK_SECRET: TEST_GIFTCARD_WEBHOOK_SECRET,
      GIFTCARD_ADMIN_TOKEN: ADMIN_TOKEN,
      GIFTCARD_DATA_DIR: dataDir,
      GIFTCARD_FAULTS: JSON.stringify({ seed: "test", ...options.faults }),
      ...(options.webhookUrl ? { GIFTCARD_WEBHOOK_URL: options.webhookUrl } : {}),
    },
  );
  const admin = async (method: string, pathname: string, body?: unknown) => {
    const response = await fetch(`${url}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${pathname}: ${await response.text()}`);
    return response.json();
  };
  return {
    url,
    pid: child.pid as number,
    dataDir,
    provider: giftCardProvider({
      baseUrl: url,
      apiKey: TEST_GIFTCARD_API_KEY,
      webhookSecret: TEST_GIFTCARD_WEBHOOK_SECRET,
      timeoutMs: options.timeoutMs,
    }),
    setFaults: async (patch) => {
      await admin("PATCH", "/admin/faults", patch);
    },
    stats: () => admin("GET", "/admin/stats"),
    redeem: async (orderId) => {
      await admin("POST", `/admin/orders/${encodeURIComponent(orderId)}/redeem`);
    },
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export type ReceivedWebhook = { body: string; raw: Uint8Array; headers: Headers };

/** A webhook endpoint that keeps what it receives, in the order it arrives. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  received: ReceivedWebhook[];
  close: () => Promise<void>;
}> {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      const raw = Buffer.concat(chunks);
      received.push({ body: raw.toString("utf8"), raw: new Uint8Array(raw), headers });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
