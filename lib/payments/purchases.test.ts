import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as webhookRoute } from "@/app/api/v1/payments/webhook/route";
import { excludedRegions, rgExclusions, rgLimits } from "@/db/schema";
import { serveRoutesFrom } from "@/test/api-routes";
import { connectTestDb, createPlayers } from "@/test/db";
import { createCoinPackage, startTestPaymentProvider } from "@/test/payments";
import { refusalOf } from "@/test/refusal";
import { waitFor } from "@/test/wait-for";
import { getWalletOverview } from "../wallet/overview";
import { listStatement } from "../wallet/statement";
import { getBalances } from "../wallet/wallet";
import { DEV_WEBHOOK_SECRET, type PaymentProvider } from "./provider";
import {
  BONUS_WITHHELD_REASON,
  completePayment,
  getPlayerPurchase,
  startPurchase,
} from "./purchases";
import { SIGNATURE_HEADER, signWebhook } from "./webhook-signature";

const db = connectTestDb(6);

/** The webhooks the provider sent, as received, before the app's route answered them. */
const received: Array<{ body: string; signature: string }> = [];
let receiver: http.Server;
let provider: PaymentProvider;
let providerUrl: string;
let closeProvider: () => Promise<void>;

function callWebhook(body: string | Uint8Array, signature: string | null) {
  const headers = new Headers({ "content-type": "application/json" });
  if (signature !== null) headers.set(SIGNATURE_HEADER, signature);
  return webhookRoute(
    new NextRequest("http://localhost/api/v1/payments/webhook", {
      method: "POST",
      headers,
      body: body as BodyInit,
    }),
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

/** A webhook about `payment` as the provider signs it: [body, signature] for callWebhook. */
function signedEvent(
  payment: { id: string; providerRef: string | null },
  type: "payment.succeeded" | "payment.failed",
  { id = `evt_${crypto.randomUUID()}`, amountCents = 499, currency = "usd" } = {},
): [string, string] {
  const body = JSON.stringify({
    id,
    type,
    data: { intent: payment.providerRef, reference: payment.id, amountCents, currency },
  });
  return [body, signWebhook(DEV_WEBHOOK_SECRET, body)];
}

/**
 * A player with a $6 daily purchase limit, buying the $4.99 package at `minutes` after a fixed
 * noon, with payments expiring after 30 minutes pending.
 */
async function sixDollarBuyer() {
  const [player = ""] = await createPlayers(db, 1);
  const packageId = await createCoinPackage(db);
  await db
    .insert(rgLimits)
    .values({ userId: player, kind: "purchase", period: "day", amount: 600 });
  const at = (minutes: number) => new Date(Date.parse("2026-06-01T12:00:00Z") + minutes * 60_000);
  const buyAt = (minutes: number) =>
    startPurchase(db, provider, {
      userId: player,
      packageId,
      idempotencyKey: crypto.randomUUID(),
      returnUrl: (id) => `http://localhost/wallet?purchase=${id}`,
      now: at(minutes),
      pendingTtlMinutes: 30,
    });
  return { player, at, buyAt };
}

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

  it("a declined payment credits nothing; a late success for it credits it, once", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const started = await buy(player, await createCoinPackage(db));
    await confirm(started.confirmUrl, "decline");
    const failed = await settled(player, started.purchase.id);
    expect(failed.status).toBe("failed");
    expect(failed.failureReason).toBe("card_declined");
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 0, redeemableSC: 0 });
    // The processor took the money after all (a retried capture): the player gets the coins.
    const late = signedEvent(failed, "payment.succeeded", { id: "evt_late" });
    expect(await (await callWebhook(...late)).json()).toEqual({
      received: true,
      outcome: "credited",
    });
    expect(await (await callWebhook(...late)).json()).toEqual({
      received: true,
      outcome: "ignored",
    });
    // A failure after the success moves nothing back.
    const afterwards = signedEvent(failed, "payment.failed", { id: "evt_late_fail" });
    expect(await (await callWebhook(...afterwards)).json()).toMatchObject({ outcome: "ignored" });
    expect(await getBalances(db, player)).toEqual({ GC: 500_000, SC: 500, redeemableSC: 0 });
    const paid = await getPlayerPurchase(db, player, failed.id);
    expect(paid).toMatchObject({ status: "succeeded", failureReason: null });
    const [audit] = await db.execute<{ data: { was?: string } }>(sql`
      select data from audit_events where action = 'wallet.purchase' and subject = ${failed.id}`);
    expect(audit?.data.was).toBe("failed");
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
        currency: "usd",
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
    // A byte order mark the signature did not cover is not dropped before checking it.
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(body)]);
    const bom = await callWebhook(withBom, signWebhook(DEV_WEBHOOK_SECRET, body));
    expect(bom.status).toBe(401);
    // Signed over exactly those bytes, it passes the signature and is refused as no JSON.
    const signedBom = await callWebhook(withBom, signWebhook(DEV_WEBHOOK_SECRET, withBom));
    expect(signedBom.status).toBe(400);
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 0, redeemableSC: 0 });
    expect((await getPlayerPurchase(db, player, started.purchase.id))?.status).toBe("pending");
  });

  it("a success for another amount or currency is held for an admin, credited never", async () => {
    const [player = "", other = ""] = await createPlayers(db, 2);
    const packageId = await createCoinPackage(db);
    const cases = [
      { player, amountCents: 1, currency: "usd", confirmed: "0.01 USD" },
      { player: other, amountCents: 499, currency: "eur", confirmed: "4.99 EUR" },
    ];
    for (const c of cases) {
      const { purchase } = await buy(c.player, packageId);
      const event = signedEvent(purchase, "payment.succeeded", c);
      expect(await (await callWebhook(...event)).json()).toEqual({
        received: true,
        outcome: "needs_review",
      });
      // Its retry, and a success for the right amount after it, change nothing.
      expect(await (await callWebhook(...event)).json()).toMatchObject({ outcome: "ignored" });
      const right = signedEvent(purchase, "payment.succeeded");
      expect(await (await callWebhook(...right)).json()).toMatchObject({ outcome: "ignored" });
      expect(await getBalances(db, c.player)).toEqual({ GC: 0, SC: 0, redeemableSC: 0 });
      const held = await getPlayerPurchase(db, c.player, purchase.id);
      expect(held?.status).toBe("needs_review");
      expect(held?.failureReason).toBe(`the processor confirmed ${c.confirmed} for 4.99 USD`);
      const [audit] = await db.execute<{ n: number }>(sql`
        select count(*)::int as n from audit_events
        where action = 'wallet.purchase_needs_review' and subject = ${purchase.id}`);
      expect(Number(audit?.n)).toBe(1);
      const { toReview } = await getWalletOverview(db);
      expect(toReview.find((p) => p.id === purchase.id)).toMatchObject({
        player: { id: c.player },
        amountCents: 499,
      });
    }
  });

  it("stores a webhook's texts with a NUL or a lone surrogate as U+FFFD, not failing forever", async () => {
    const [player = "", other = ""] = await createPlayers(db, 2);
    const packageId = await createCoinPackage(db);
    const declined = (await buy(player, packageId)).purchase;
    const failure = JSON.stringify({
      id: "evt_\u0000nul",
      type: "payment.failed",
      data: {
        intent: declined.providerRef,
        reference: declined.id,
        amountCents: 499,
        currency: "usd",
        failureReason: "card\u0000declined \ud800",
      },
    });
    const answer = await callWebhook(failure, signWebhook(DEV_WEBHOOK_SECRET, failure));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ received: true, outcome: "failed" });
    expect(await getPlayerPurchase(db, player, declined.id)).toMatchObject({
      status: "failed",
      failureReason: "card\uFFFDdeclined \uFFFD",
    });
    const [audit] = await db.execute<{ reason: string; data: { eventId: string } }>(sql`
      select reason, data from audit_events
      where action = 'wallet.purchase_failed' and subject = ${declined.id}`);
    expect(audit).toMatchObject({
      reason: "card\uFFFDdeclined \uFFFD",
      data: { eventId: "evt_\uFFFDnul" },
    });
    // A success in a currency with a NUL in it is another currency: held for review, stored.
    const odd = (await buy(other, packageId)).purchase;
    const event = signedEvent(odd, "payment.succeeded", { currency: "us\u0000d" });
    const held = await callWebhook(...event);
    expect(await held.json()).toEqual({ received: true, outcome: "needs_review" });
    expect((await getPlayerPurchase(db, other, odd.id))?.failureReason).toBe(
      "the processor confirmed 4.99 US\uFFFDD for 4.99 USD",
    );
    expect(await (await callWebhook(...event)).json()).toMatchObject({ outcome: "ignored" });
    // A provider whose parser lets any reference through: no payment of ours, ignored.
    const stray = { eventId: "evt_stray", providerRef: "pi_x", amountCents: 499, currency: "usd" };
    for (const reference of ["not-a-uuid", `${odd.id}\u0000`]) {
      const outcome = completePayment(db, provider, { ...stray, outcome: "succeeded", reference });
      expect(await outcome).toBe("ignored");
    }
  });

  it("the confirm page must be the provider's own http(s) page", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const packageId = await createCoinPackage(db);
    for (const confirmUrl of [
      "javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "https://evil.example/pay/pi_1",
      `${providerUrl.replace(/:[0-9]+$/, ":1")}/pay/pi_1`,
      `${providerUrl.replace("http:", "ftp:")}/pay/pi_1`,
      "/pay/pi_1",
    ]) {
      const rogue: PaymentProvider = {
        ...provider,
        createIntent: async (intent) => ({
          ...(await provider.createIntent(intent)),
          confirmUrl,
        }),
      };
      const started = startPurchase(db, rogue, {
        userId: player,
        packageId,
        idempotencyKey: crypto.randomUUID(),
        returnUrl: (id) => `http://localhost/wallet?purchase=${id}`,
      });
      expect(await codeOf(started), confirmUrl).toBe("payment_provider_error");
    }
  });

  it("credits a package's GC without its SC where SC is closed, and says so", async () => {
    const [undeclared = "", excluded = ""] = await createPlayers(db, 2);
    await db.execute(sql`update users set region = null where id = ${undeclared}`);
    await db.execute(sql`update users set region = 'XQ' where id = ${excluded}`);
    await db.insert(excludedRegions).values({ code: "XQ", sweepsOnly: true });
    const packageId = await createCoinPackage(db);
    for (const player of [undeclared, excluded]) {
      const { purchase } = await buy(player, packageId);
      const answer = await callWebhook(...signedEvent(purchase, "payment.succeeded"));
      expect(await answer.json()).toMatchObject({ outcome: "credited" });
      expect(await getBalances(db, player)).toEqual({ GC: 500_000, SC: 0, redeemableSC: 0 });
      const paid = await getPlayerPurchase(db, player, purchase.id);
      expect(paid).toMatchObject({ status: "succeeded", bonusWithheld: true });
      const [audit] = await db.execute<{ reason: string; data: { bonusScCredited: string } }>(sql`
        select reason, data from audit_events
        where action = 'wallet.purchase' and subject = ${purchase.id}`);
      expect(audit).toMatchObject({
        reason: BONUS_WITHHELD_REASON,
        data: { bonusScCredited: "0.00" },
      });
      const { lines } = await listStatement(db, player, {}, { limit: 10 });
      expect(lines.map((l) => l.description)).toEqual([
        `Bought the ${paid?.packageName} package. ${BONUS_WITHHELD_REASON}`,
      ]);
    }
  });

  it("expires payments left pending, which then stop counting against the limit", async () => {
    const { player, at, buyAt } = await sixDollarBuyer();
    const first = await buyAt(0);
    // Still pending within its 30 minutes: it counts, and a second $4.99 passes the $6 limit.
    expect(await codeOf(buyAt(29))).toBe("limit_reached:purchase_day");
    expect((await getPlayerPurchase(db, player, first.purchase.id))?.status).toBe("pending");
    const second = await buyAt(30);
    const expired = await getPlayerPurchase(db, player, first.purchase.id);
    expect(expired).toMatchObject({ status: "expired", completedAt: at(30) });
    const [audit] = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from audit_events
      where action = 'wallet.purchase_expired' and subject = ${first.purchase.id}`);
    expect(Number(audit?.n)).toBe(1);
    // The second is declined; the processor then confirms the expired one late after all: the
    // money was taken and it fits the limit, so it is credited.
    const declined = signedEvent(second.purchase, "payment.failed");
    expect(await (await callWebhook(...declined)).json()).toMatchObject({ outcome: "failed" });
    const late = signedEvent(first.purchase, "payment.succeeded");
    expect(await (await callWebhook(...late)).json()).toMatchObject({ outcome: "credited" });
    expect((await getBalances(db, player)).GC).toBe(500_000);
  });

  it("holds for review a late success that would pass a purchase limit", async () => {
    const { player, buyAt } = await sixDollarBuyer();
    // $4.99 under a $6 daily limit, left to expire; a second $4.99 then fits, and is paid.
    const first = await buyAt(0);
    const second = await buyAt(30);
    expect(await codeOf(buyAt(31))).toBe("limit_reached:purchase_day");
    const paid = signedEvent(second.purchase, "payment.succeeded");
    expect(await (await callWebhook(...paid)).json()).toMatchObject({ outcome: "credited" });
    // The player pays the expired intent's page after all: $9.98 in a day past a $6 limit.
    // The money was taken, so it is not refused either: an admin refunds it or grants it.
    const late = signedEvent(first.purchase, "payment.succeeded");
    expect(await (await callWebhook(...late)).json()).toMatchObject({ outcome: "needs_review" });
    expect((await getBalances(db, player)).GC).toBe(500_000);
    const held = await getPlayerPurchase(db, player, first.purchase.id);
    expect(held?.status).toBe("needs_review");
    expect(held?.failureReason).toContain("daily purchase limit of $6.00");
    expect(await (await callWebhook(...late)).json()).toMatchObject({ outcome: "ignored" });
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
