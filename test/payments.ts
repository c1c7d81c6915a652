import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Db } from "@/db/client";
import { coinPackages } from "@/db/schema";
import {
  DEV_WEBHOOK_SECRET,
  type PaymentProvider,
  setPaymentProvider,
  testPaymentProvider,
} from "@/lib/payments/provider";
import { completePayment, startPurchase } from "@/lib/payments/purchases";
import {
  createTestProviderServer,
  type TestProviderOptions,
} from "@/lib/payments/test-provider-server";
import { createPlayers } from "./db";

/**
 * A real local test provider on a free port, its store in a temporary folder, for this test
 * process; the app's paymentProvider() is pointed at it. Webhooks go to `webhookUrl` (nowhere by
 * default: tests that want them give a URL of their own).
 */
export async function startTestPaymentProvider(
  options: Partial<TestProviderOptions> = {},
): Promise<{ provider: PaymentProvider; url: string; close: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "payments-"));
  const server = createTestProviderServer({
    secret: DEV_WEBHOOK_SECRET,
    webhookUrl: "http://127.0.0.1:9/nowhere",
    storeFile: path.join(dir, "intents.json"),
    retryDelaysMs: [],
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = testPaymentProvider(url, DEV_WEBHOOK_SECRET);
  setPaymentProvider(provider);
  return {
    provider,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        fs.rmSync(dir, { recursive: true, force: true });
      }),
  };
}

let shared: ReturnType<typeof startTestPaymentProvider> | undefined;

/** One provider for the whole test process (the authorisation matrix's purchases). */
export function sharedTestPaymentProvider(): ReturnType<typeof startTestPaymentProvider> {
  shared ??= startTestPaymentProvider();
  return shared;
}

/** A package on sale: $4.99 for 5,000 GC and 5 SC free. */
export async function createCoinPackage(db: Db): Promise<string> {
  const [row] = await db
    .insert(coinPackages)
    .values({ name: `Test pack ${Math.random()}`, priceCents: 499, gc: 500_000, bonusSc: 500 })
    .returning({ id: coinPackages.id });
  if (!row) throw new Error("no package");
  return row.id;
}

/** A fresh player's $4.99 payment the processor confirmed for $0.01: under review. */
export async function createPaymentToReview(db: Db): Promise<string> {
  const { provider } = await sharedTestPaymentProvider();
  const [userId = ""] = await createPlayers(db, 1);
  const { purchase } = await startPurchase(db, provider, {
    userId,
    packageId: await createCoinPackage(db),
    idempotencyKey: crypto.randomUUID(),
    returnUrl: () => "http://localhost/wallet",
  });
  const outcome = await completePayment(db, provider, {
    eventId: `evt_${crypto.randomUUID()}`,
    outcome: "succeeded",
    reference: purchase.id,
    providerRef: purchase.providerRef ?? "",
    amountCents: 1,
    currency: "usd",
  });
  if (outcome !== "needs_review") throw new Error(`payment not held for review: ${outcome}`);
  return purchase.id;
}
