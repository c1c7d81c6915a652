import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as webhookRoute } from "@/app/api/v1/payments/webhook/route";
import { rgExclusions, rgLimits } from "@/db/schema";
import { serveRoutesFrom } from "@/test/api-routes";
import { connectTestDb, createPlayers } from "@/test/db";
import { createCoinPackage, startTestPaymentProvider } from "@/test/payments";
import { refusalOf } from "@/test/refusal";
import { waitFor } from "@/test/wait-for";
import { getBalances } from "../wallet/wallet";
import { DEV_WEBHOOK_SECRET, type PaymentProvider } from "./provider";
import { getPlayerPurchase, startPurchase } from "./purchases";
import { SIGNATURE_HEADER, signWebhook } from "./webhook-signature";

const db = connectTestDb(6);

/** The webhooks the provider sent, as received, before the app's route answered them. */
const received: Array<{ body: string; signature: string }> = [];
let receiver: http.Server;
let provider: PaymentProvider;
let providerUrl: string;
let closeProvider: () => Promise<void>;

function callWebhook(body: string, signature: string | null) {
  const headers = new Headers({ "content-type": "application/json" });
  if (signature !== null) headers.set(SIGNATURE_HEADER, signature);
  return webhookRoute(
    new NextRequest("http://localhost/api/v1/payments/webhook", { method: "POST", headers, body }),
    undefined,
  );
}

beforeAll(async () => {
  serveRoutesFrom(db);
  // The app's webhook route behind a real HTTP port, as the provider process reaches it.
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const signature = String(request.headers[SIGNATURE_HEADER] ?? "");
      received.push({ body, signature });
      const answer = await callWebhook(body, signature);
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(await answer.text());
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  const started = await startTestPaymentProvider({ webhookUrl: `http://127.0.0.1:${port}/` });
  provider = started.provider;
  providerUrl = started.url;
  closeProvider = started.close;
});

afterAll(async () => {
  await closeProvider();
  await new Promise((resolve) => receiver.close(resolve));
});

async function buy(userId: string, packageId: string, idempotencyKey = crypto.randomUUID()) {
  return startPurchase(db, provider, {
    userId,
    packageId,
    idempotencyKey,
    returnUrl: (id) => `http://localhost/wallet?purchase=${id}`,
  });
}

/** What the player does on the provider's hosted page. */
async function confirm(confirmUrl: string | null, outcome: "succeed" | "decline") {
  expect(confirmUrl).toMatch(new RegExp(`^${providerUrl}/pay/pi_`));
  const page = await fetch(confirmUrl ?? "");
  expect(await page.text()).toContain("$4.99");
  const answer = await fetch(confirmUrl ?? "", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `outcome=${outcome}`,
    redirect: "manual",
  });
  expect(answer.status).toBe(303);
}

async function settled(userId: string, paymentId: string) {
  return waitFor(async () => {
    const p = await getPlayerPurchase(db, userId, paymentId);
    return p && p.status !== "pending" ? p : undefined;
  });
}

const codeOf = (work: Promise<unknown>) => refusalOf(work, "ok");

describe("buying coins through the local test provider", () => {
  it("credits GC and the bonus SC once, when the signed webhook confirms", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const packageId = await createCoinPackage(db);
    const started = await buy(player, packageId, "key-1");
    expect(started.purchase.status).toBe("pending");
    // The same key: the same payment and the same intent at the provider.
    const again = await buy(player, packageId, "key-1");
    expect(again.purchase.id).toBe(started.purchase.id);
    expect(again.confirmUrl).toBe(started.confirmUrl);
    expect(await codeOf(buy(player, await createCoinPackage(db), "key-1"))).toBe(
      "idempotency_mismatch",
    );
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 0, redeemableSC: 0 });

    await confirm(started.confirmUrl, "succeed");
    expect((await settled(player, started.purchase.id)).status).toBe("succeeded");
    expect(await getBalances(db, player)).toEqual({ GC: 500_000, SC: 500, redeemableSC: 0 });

    // The provider's webhook again (a retry, or a replay within the tolerance): nothing moves.
    const delivered = received.find((r) => r.body.includes(started.purchase.id));
    const replay = await callWebhook(delivered?.body ?? "", delivered?.signature ?? "");
    expect(await replay.json()).toEqual({ received: true, outcome: "ignored" });
    expect(await getBalances(db, player)).toEqual({ GC: 500_000, SC: 500, redeemableSC: 0 });
    const [audit] = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from audit_events
      where action = 'wallet.purchase' and subject = ${started.purchase.id}`);
    expect(Number(audit?.n)).toBe(1);
  });

  it("a declined payment credits nothing, and a late success for it changes nothing", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const started = await buy(player, await createCoinPackage(db));
    await confirm(started.confirmUrl, "decline");
    const failed = await settled(player, started.purchase.id);
    expect(failed.status).toBe("failed");
    expect(failed.failureReason).toBe("card_declined");
    const body = JSON.stringify({
      id: "evt_late",
      type: "payment.succeeded",
      data: { intent: failed.providerRef, reference: failed.id, amountCents: 499 },
    });
    const late = await callWebhook(body, signWebhook(DEV_WEBHOOK_SECRET, body));
    expect(await late.json()).toEqual({ received: true, outcome: "ignored" });
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 0, redeemableSC: 0 });
  });

  it("refuses webhooks without a good, fresh signature", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const started = await buy(player, await createCoinPackage(db));
    const body = JSON.stringify({
      id: "evt_forged",
      type: "payment.succeeded",
      data: {
        intent: started.purchase.providerRef,
        reference: started.purchase.id,
        amountCents: 499,
      },
    });
    const stale = new Date(Date.now() - 10 * 60_000);
    for (const signature of [
      null,
      "",
      "t=1,v1=00",
      signWebhook("another secret of at least thirty-two chars", body),
      signWebhook(DEV_WEBHOOK_SECRET, body, stale),
      signWebhook(DEV_WEBHOOK_SECRET, `${body} `),
    ]) {
      const answer = await callWebhook(body, signature);
      expect(answer.status, String(signature)).toBe(401);
    }
    // The right amount only: a success for another amount fails the payment instead.
    const wrong = body.replace('"amountCents":499', '"amountCents":1');
    const answer = await callWebhook(wrong, signWebhook(DEV_WEBHOOK_SECRET, wrong));
    expect(await answer.json()).toEqual({ received: true, outcome: "failed" });
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 0, redeemableSC: 0 });
  });

  it("checks exclusions and purchase limits, also for purchases made at once", async () => {
    const [limited = "", excluded = ""] = await createPlayers(db, 2);
    const packageId = await createCoinPackage(db);
    await db
      .insert(rgLimits)
      .values({ userId: limited, kind: "purchase", period: "day", amount: 1000 });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => codeOf(buy(limited, packageId))),
    );
    expect(results.sort()).toEqual([
      "limit_reached:purchase_day",
      "limit_reached:purchase_day",
      "limit_reached:purchase_day",
      "ok",
      "ok",
    ]);
    // A raise waits 24 hours.
    await db.execute(sql`update rg_limits set pending_amount = 5000,
      pending_from = now() + interval '24 hours' where user_id = ${limited}`);
    expect(await codeOf(buy(limited, packageId))).toBe("limit_reached:purchase_day");
    await db
      .insert(rgExclusions)
      .values({ userId: excluded, kind: "self_exclusion", endsAt: null });
    expect(await codeOf(buy(excluded, packageId))).toBe("self_excluded");
  });
});
