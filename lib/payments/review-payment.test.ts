import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { excludedRegions, rgExclusions, rgLimits } from "@/db/schema";
import { callRoute, createCallers, discoverApiRoutes, serveRoutesFrom } from "@/test/api-routes";
import { connectTestDb, createPlayers } from "@/test/db";
import { createCoinPackage, startTestPaymentProvider } from "@/test/payments";
import { refusalOf } from "@/test/refusal";
import { getResponsibleGaming } from "../rg/settings";
import { getWalletOverview } from "../wallet/overview";
import { listStatement } from "../wallet/statement";
import { getBalances } from "../wallet/wallet";
import type { PaymentEvent } from "./model";
import type { PaymentProvider } from "./provider";
import {
  BONUS_WITHHELD_REASON,
  completePayment,
  getPlayerPurchase,
  startPurchase,
} from "./purchases";
import { BONUS_EXCLUDED_REASON, CREDITED_AFTER_REVIEW, resolvePayment } from "./review-payment";

const db = connectTestDb(8);
let provider: PaymentProvider;
let closeProvider: () => Promise<void>;
let admin = "";

beforeAll(async () => {
  serveRoutesFrom(db);
  const started = await startTestPaymentProvider();
  provider = started.provider;
  closeProvider = started.close;
  [admin = ""] = await createPlayers(db, 1, { role: "admin" });
});

afterAll(() => closeProvider());

const NOON = Date.parse("2026-06-01T12:00:00Z");
const at = (minutes: number) => new Date(NOON + minutes * 60_000);
const codeOf = (work: Promise<unknown>) => refusalOf(work, "ok");

async function buy(userId: string, packageId: string, now = at(0)) {
  const { purchase } = await startPurchase(db, provider, {
    userId,
    packageId,
    idempotencyKey: crypto.randomUUID(),
    returnUrl: (id) => `http://localhost/wallet?purchase=${id}`,
    now,
    pendingTtlMinutes: 30,
  });
  return purchase;
}

function success(
  payment: { id: string; providerRef: string | null },
  amountCents = 499,
): PaymentEvent {
  return {
    eventId: `evt_${crypto.randomUUID()}`,
    outcome: "succeeded",
    reference: payment.id,
    providerRef: payment.providerRef ?? "",
    amountCents,
    currency: "usd",
  };
}

/** A $4.99 payment of a fresh player's, confirmed by the processor for $0.01: under review. */
async function paymentUnderReview(overrides: Parameters<typeof createPlayers>[2] = {}) {
  const [player = ""] = await createPlayers(db, 1, overrides);
  const purchase = await buy(player, await createCoinPackage(db));
  expect(await completePayment(db, provider, success(purchase, 1), at(1))).toBe("needs_review");
  return { player, purchase };
}

const resolve = (paymentId: string, action: "credit" | "refunded", reason = "checked") =>
  resolvePayment(db, paymentId, { action, reason }, { adminId: admin }, at(60));

async function auditOf(paymentId: string, action: string) {
  return db.execute<{ actor_id: string; reason: string; data: Record<string, unknown> }>(sql`
    select actor_id, reason, data from audit_events where action = ${action} and subject = ${paymentId}`);
}

describe("an admin resolves a payment under review", () => {
  it("credits the package once, through the journal, audited with before and after", async () => {
    const { player, purchase } = await paymentUnderReview();
    const review = await resolve(purchase.id, "credit", "Processor confirms $4.99 was taken");
    expect(review).toMatchObject({ status: "succeeded", gcCredited: 500_000, scCredited: 500 });
    expect(review.limitPassed).toBeNull();
    expect(await getBalances(db, player)).toEqual({ GC: 500_000, SC: 500, redeemableSC: 0 });
    expect(await getPlayerPurchase(db, player, purchase.id)).toMatchObject({
      status: "succeeded",
      reviewedAt: at(60),
      reviewedBy: admin,
      reviewReason: "Processor confirms $4.99 was taken",
      bonusWithheld: false,
    });
    const [audit, ...more] = await auditOf(purchase.id, "wallet.purchase_review_credited");
    expect(more).toHaveLength(0);
    expect(audit).toMatchObject({
      actor_id: admin,
      reason: "Processor confirms $4.99 was taken",
      data: {
        before: { status: "needs_review", reviewedAt: null },
        after: { status: "succeeded", reviewedAt: at(60).toISOString() },
        gcCredited: "5000.00",
        bonusScCredited: "5.00",
        passesPurchaseLimit: null,
        heldBecause: "the processor confirmed 0.01 USD for 4.99 USD",
      },
    });
    const { lines } = await listStatement(db, player, {}, { limit: 10 });
    expect(lines.map((l) => l.description)).toEqual([
      `Bought the ${purchase.packageName} package. ${CREDITED_AFTER_REVIEW}`,
      `Bought the ${purchase.packageName} package. ${CREDITED_AFTER_REVIEW}`,
    ]);

    const overview = await getWalletOverview(db);
    expect(overview.toReview.find((p) => p.id === purchase.id)).toBeUndefined();
    expect(overview.resolved.find((p) => p.id === purchase.id)).toMatchObject({
      status: "succeeded",
      reviewedAt: at(60),
      reviewReason: "Processor confirms $4.99 was taken",
      bonusWithheld: false,
    });

    // Resolved: a second resolution either way is refused, and the processor's word moves nothing.
    expect(await codeOf(resolve(purchase.id, "credit"))).toBe("already_reviewed");
    expect(await codeOf(resolve(purchase.id, "refunded"))).toBe("already_reviewed");
    expect(await completePayment(db, provider, success(purchase))).toBe("ignored");
    expect(await getBalances(db, player)).toEqual({ GC: 500_000, SC: 500, redeemableSC: 0 });
  });

  it("two admins crediting at once credit it once", async () => {
    const { player, purchase } = await paymentUnderReview();
    const [other = ""] = await createPlayers(db, 1, { role: "admin" });
    const results = await Promise.all(
      [admin, other].map((adminId) =>
        codeOf(
          resolvePayment(
            db,
            purchase.id,
            { action: "credit", reason: `by ${adminId}` },
            { adminId },
            at(60),
          ),
        ),
      ),
    );
    expect(results.sort()).toEqual(["already_reviewed", "ok"]);
    expect(await getBalances(db, player)).toEqual({ GC: 500_000, SC: 500, redeemableSC: 0 });
    expect(await auditOf(purchase.id, "wallet.purchase_review_credited")).toHaveLength(1);
    const [journal] = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from wallet_transactions where subject_id = ${purchase.id}`);
    expect(journal?.n).toBe(1);
  });

  it("a payment closed as refunded credits nothing and stops counting against the limit", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const packageId = await createCoinPackage(db);
    await db
      .insert(rgLimits)
      .values({ userId: player, kind: "purchase", period: "day", amount: 600 });
    const purchase = await buy(player, packageId, at(0));
    expect(await completePayment(db, provider, success(purchase, 1), at(1))).toBe("needs_review");
    // Money may have been taken: under review, it counts, and a second $4.99 passes $6.
    expect(await codeOf(buy(player, packageId, at(2)))).toBe("limit_reached:purchase_day");
    const usedToday = async () =>
      (await getResponsibleGaming(db, player, at(2))).limits.find(
        (l) => l.kind === "purchase" && l.period === "day",
      )?.used;
    expect(await usedToday()).toBe("4.99");

    const review = await resolve(purchase.id, "refunded", "Refunded at the processor, ref R-1");
    expect(review).toMatchObject({ status: "refunded", gcCredited: 0, scCredited: 0 });
    expect(await getPlayerPurchase(db, player, purchase.id)).toMatchObject({
      status: "refunded",
      reviewedBy: admin,
      reviewReason: "Refunded at the processor, ref R-1",
    });
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 0, redeemableSC: 0 });
    const [audit] = await auditOf(purchase.id, "wallet.purchase_review_refunded");
    expect(audit).toMatchObject({
      actor_id: admin,
      reason: "Refunded at the processor, ref R-1",
      data: { before: { status: "needs_review" }, after: { status: "refunded" } },
    });
    expect(await usedToday()).toBe("0.00");
    const { resolved } = await getWalletOverview(db);
    expect(resolved.find((p) => p.id === purchase.id)).toMatchObject({ status: "refunded" });
    expect((await buy(player, packageId, at(3))).status).toBe("pending");
    // A late word from the processor about it changes nothing.
    expect(await completePayment(db, provider, success(purchase))).toBe("ignored");
    const failed: PaymentEvent = { ...success(purchase), outcome: "failed" };
    expect(await completePayment(db, provider, failed)).toBe("ignored");
    expect(await getPlayerPurchase(db, player, purchase.id)).toMatchObject({ status: "refunded" });
    expect(await codeOf(resolve(purchase.id, "credit"))).toBe("already_reviewed");
  });

  it("credits past a purchase limit as the admin's decision, and the audit event says so", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const packageId = await createCoinPackage(db);
    await db
      .insert(rgLimits)
      .values({ userId: player, kind: "purchase", period: "day", amount: 600 });
    // Left to expire, another paid meanwhile, then paid late: $9.98 in a day past $6.
    const first = await buy(player, packageId, at(0));
    const second = await buy(player, packageId, at(30));
    expect(await completePayment(db, provider, success(second), at(31))).toBe("credited");
    expect(await completePayment(db, provider, success(first), at(32))).toBe("needs_review");

    const review = await resolve(first.id, "credit", "Player asked to keep the coins");
    expect(review.limitPassed).toContain("daily purchase limit of $6.00");
    expect((await getBalances(db, player)).GC).toBe(1_000_000);
    const [audit] = await auditOf(first.id, "wallet.purchase_review_credited");
    expect(audit?.data.passesPurchaseLimit).toBe(review.limitPassed);
  });

  it("credits GC only where the player may not have free SC now", async () => {
    const excludedRegion = await paymentUnderReview({ region: "XR" });
    await db.insert(excludedRegions).values({ code: "XR", sweepsOnly: true });
    const selfExcluded = await paymentUnderReview();
    await db.insert(rgExclusions).values({
      userId: selfExcluded.player,
      kind: "self_exclusion",
      startsAt: at(10),
      endsAt: null,
    });
    for (const [{ player, purchase }, why] of [
      [excludedRegion, BONUS_WITHHELD_REASON],
      [selfExcluded, BONUS_EXCLUDED_REASON],
    ] as const) {
      const review = await resolve(purchase.id, "credit");
      expect(review).toMatchObject({ gcCredited: 500_000, scCredited: 0 });
      expect(await getBalances(db, player)).toEqual({ GC: 500_000, SC: 0, redeemableSC: 0 });
      expect(await getPlayerPurchase(db, player, purchase.id)).toMatchObject({
        bonusWithheld: true,
      });
      const [audit] = await auditOf(purchase.id, "wallet.purchase_review_credited");
      expect(audit?.data).toMatchObject({ bonusScCredited: "0.00", bonusWithheld: why });
    }
  });

  it("needs a reason and an action, and only a payment under review", async () => {
    const { purchase } = await paymentUnderReview();
    for (const reason of ["", "   ", "\u0000", "x".repeat(501)]) {
      expect(await codeOf(resolve(purchase.id, "credit", reason)).catch(() => "zod")).toBe("zod");
    }
    const wrong = resolvePayment(
      db,
      purchase.id,
      { action: "grant" as "credit", reason: "x" },
      { adminId: admin },
      at(60),
    );
    expect(await codeOf(wrong).catch(() => "zod")).toBe("zod");
    const [player = ""] = await createPlayers(db, 1);
    const pending = await buy(player, await createCoinPackage(db));
    for (const id of [pending.id, crypto.randomUUID(), "not-a-uuid", "'; drop table payments"]) {
      expect(await codeOf(resolve(id, "credit")), id).toBe("not_found");
    }
    expect((await getPlayerPurchase(db, player, pending.id))?.status).toBe("pending");
    expect(await codeOf(resolve(purchase.id, "refunded"))).toBe("ok");
  });

  it("over the API: admins only, a reason required, already_reviewed the second time", async () => {
    const callers = await createCallers(db);
    const routes = await discoverApiRoutes();
    const route = routes.find((r) => r.pattern === "/api/v1/admin/payments/[id]/resolution");
    if (!route) throw new Error("no resolution route");
    const { player, purchase } = await paymentUnderReview();
    const post = (token: string | undefined, body: unknown) =>
      callRoute(route, "POST", {
        params: { id: purchase.id },
        token,
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
    const credit = { action: "credit", reason: "checked with the processor" };
    expect((await post(undefined, credit)).status).toBe(401);
    expect((await post(callers.player.token, credit)).status).toBe(403);
    expect((await post(callers.auditor.token, credit)).status).toBe(403);
    expect((await post(callers.admin.token, { action: "credit" })).status).toBe(400);
    expect((await post(callers.admin.token, { action: "credit", reason: " " })).status).toBe(400);
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 0, redeemableSC: 0 });
    const answer = await post(callers.admin.token, credit);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      paymentId: purchase.id,
      status: "succeeded",
      gcCredited: "5000.00",
      scCredited: "5.00",
      limitPassed: null,
    });
    const again = await post(callers.admin.token, { action: "refunded", reason: "twice" });
    expect(again.status).toBe(409);
    expect(JSON.parse(again.body)).toMatchObject({ error: { code: "already_reviewed" } });
    expect(await getBalances(db, player)).toEqual({ GC: 500_000, SC: 500, redeemableSC: 0 });
  });
});
