import { randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { Wallet } from "ethers";
import type { Db } from "@/db/client";
import { catalogItems, prizes, pushSubscriptions, users, walletLinks } from "@/db/schema";
import { sequenceEntries } from "@/lib/anchoring/sequence-entries";
import { issueApiToken } from "@/lib/auth/api-tokens";
import { issueEmailToken } from "@/lib/auth/email-tokens";
import { redeemCatalogItem } from "@/lib/catalog/redeem-item";
import { claimDrop } from "@/lib/claims/claim-drop";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { getFairness } from "@/lib/fairness/seeds";
import { DEV_WEBHOOK_SECRET } from "@/lib/payments/provider";
import { startPurchase } from "@/lib/payments/purchases";
import { SIGNATURE_HEADER, signWebhook } from "@/lib/payments/webhook-signature";
import { createLinkChallenge, linkSite } from "@/lib/payouts/link-wallet";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { playRound } from "@/lib/rounds/play-round";
import { issueMailInCodes } from "@/lib/wallet/free-coins";
import { emitWebhookEvents } from "@/lib/webhooks/emit-events";
import { createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { type ApiRoute, type Call, type Callers, callRoute, type Role } from "./api-routes";
import { createPlayers, createTestDrop, TEST_SHIPPING_ADDRESS } from "./db";
import { insertDeliveryJob, insertJob, markDeliveryDead } from "./jobs";
import { createCoinPackage, createPaymentToReview, sharedTestPaymentProvider } from "./payments";
import { makeBrowserKeys } from "./push-service";
import { grantTestCoins } from "./wallet";

/**
 * What every API route answers to each kind of caller, and how to call it. A route (and method)
 * missing here fails the matrix test, so a new route cannot go unchecked.
 */

export type Fixtures = {
  db: Db;
  callers: Callers;
  /** A gift-card prize with room for more drops and codes. */
  prizeId: string;
  /** A live first-come drop. */
  dropId: string;
  /** A live lottery drop. */
  lotteryDropId: string;
  /** A redemption of `player`'s. */
  redemptionId: string;
};

type Statuses = Record<Role, number>;
export type Entry = {
  expect: Statuses;
  /** The request an allowed caller would send; it may create what it uses, fresh each time. */
  call?: (fx: Fixtures, role: Role) => Call | Promise<Call>;
};

const all = (status: number): Statuses => ({
  anonymous: status,
  player: status,
  other: status,
  admin: status,
  auditor: status,
  "admin without 2FA": status,
  "suspended admin": status,
});
/**
 * Any signed-in account, each for its own things; an admin or auditor without two-factor may
 * not use the API at all until it is on; a suspended account is no caller at all.
 */
const signedIn = (status: number): Statuses => ({
  ...all(status),
  anonymous: 401,
  "admin without 2FA": 403,
  "suspended admin": 401,
});
const adminOnly = (status: number): Statuses => ({
  anonymous: 401,
  player: 403,
  other: 403,
  admin: status,
  auditor: 403,
  "admin without 2FA": 403,
  "suspended admin": 401,
});
const staff = (status: number): Statuses => ({ ...adminOnly(status), auditor: status });
/** Players only; each sees their own. */
const players = (status: number): Statuses => ({
  anonymous: 401,
  player: status,
  other: status,
  admin: 403,
  auditor: 403,
  "admin without 2FA": 403,
  "suspended admin": 401,
});
/** `player`'s own thing: another player is told it does not exist. */
const ownerOnly = (status: number): Statuses => ({ ...players(status), other: 404 });

const json = (value: unknown): Pick<Call, "body" | "headers"> => ({
  body: JSON.stringify(value),
  headers: { "content-type": "application/json" },
});
const unique = () => randomBytes(5).toString("hex");

/** A first-come drop starting in 10 minutes whose waiting room's pre-queue is open. */
async function queuedTestDrop(db: Db): Promise<string> {
  const { dropId } = await createTestDrop(db, {
    units: 1,
    startOffsetMs: 600_000,
    endOffsetMs: 4_200_000,
    waitingRoom: { enabled: true },
  });
  return dropId;
}

export const ROUTE_TABLE: Record<string, Entry> = {
  // Auth.js's own endpoints: public by design, with its own CSRF check on POST.
  "GET /api/auth/[...nextauth]": {
    expect: all(200),
    call: () => ({ params: { nextauth: ["session"] } }),
  },
  "POST /api/auth/[...nextauth]": {
    expect: all(302),
    call: () => ({ params: { nextauth: ["signout"] } }),
  },
  "GET /api/health": { expect: all(200) },
  "GET /api/v1/openapi.json": { expect: all(200) },
  "GET /api/v1/drops": { expect: all(200) },
  "GET /api/v1/ledger/checkpoints": { expect: all(200) },
  "GET /api/v1/ledger/leaves": { expect: all(200) },
  // The fixture's claims are put in the log first, so that leaf 0 exists.
  "GET /api/v1/ledger/entries/[index]": {
    expect: all(200),
    call: async (fx) => {
      await sequenceEntries(fx.db, 1000);
      return { params: { index: "0" } };
    },
  },
  // Public to all; the fixture anchors no checkpoint, so nothing is published to prove against
  // (test/interop/tiles.test.ts proves against a published log).
  "GET /api/v1/ledger/proofs/consistency": { expect: all(404), call: () => ({ query: "?from=0" }) },
  "GET /api/v1/ledger/proofs/inclusion": { expect: all(404), call: () => ({ query: "?index=0" }) },
  // Public to all; the test process configures no ledger, so it publishes no identity.
  "GET /api/v1/ledger/identity": { expect: all(404) },
  "GET /api/v1/drops/[dropId]/stream": {
    expect: all(200),
    call: (fx) => ({ params: { dropId: fx.dropId } }),
  },
  "GET /api/v1/drops/[dropId]/lottery": {
    expect: all(200),
    call: (fx) => ({ params: { dropId: fx.lotteryDropId } }),
  },
  // Sign-up and token creation are how one becomes a caller: open to all, by credentials.
  "POST /api/v1/accounts": {
    expect: all(201),
    call: () => json({ email: `new-${unique()}@test.invalid`, password: "a long enough password" }),
  },
  // The mailed token is the authority here, not the caller: a fresh unverified account's each time.
  "POST /api/v1/accounts/verify-email": {
    expect: all(204),
    call: async (fx) => {
      const [id] = await createPlayers(fx.db, 1, { emailVerifiedAt: null });
      return json({ token: await issueEmailToken(fx.db, id ?? "", "verify_email") });
    },
  },
  "POST /api/v1/tokens": {
    expect: all(201),
    call: (fx) => json({ email: fx.callers.player.email, password: fx.callers.player.password }),
  },
  "GET /api/v1/tokens": { expect: signedIn(200) },
  "DELETE /api/v1/tokens/[id]": {
    // A live token of `player`'s: everyone else is told there is no such token.
    expect: { ...signedIn(404), player: 204 },
    call: async (fx) => ({
      params: { id: (await issueApiToken(fx.db, fx.callers.player.id)).id },
    }),
  },
  "POST /api/v1/drops/[dropId]/claims": {
    expect: players(201),
    call: async (fx) => ({
      params: { dropId: (await createTestDrop(fx.db, { units: 1 })).dropId },
    }),
  },
  "POST /api/v1/drops/[dropId]/entries": {
    expect: players(201),
    call: async (fx) => ({
      params: { dropId: (await createTestDrop(fx.db, { units: 1, allocation: "lottery" })).dropId },
    }),
  },
  "POST /api/v1/drops/[dropId]/queue": {
    expect: players(200),
    call: async (fx) => ({ params: { dropId: await queuedTestDrop(fx.db) } }),
  },
  "GET /api/v1/drops/[dropId]/queue": {
    expect: players(200),
    call: async (fx) => ({ params: { dropId: await queuedTestDrop(fx.db) } }),
  },
  "DELETE /api/v1/drops/[dropId]/queue": {
    expect: players(200),
    call: async (fx) => ({ params: { dropId: await queuedTestDrop(fx.db) } }),
  },
  // The proof names no account: public to all, like a lottery's transcript.
  "GET /api/v1/drops/[dropId]/queue/proof": {
    expect: all(200),
    call: async (fx) => ({ params: { dropId: await queuedTestDrop(fx.db) } }),
  },
  "GET /api/v1/redemptions": { expect: players(200) },
  "GET /api/v1/redemptions/stream": { expect: players(200) },
  "GET /api/v1/wallet": { expect: players(200) },
  "GET /api/v1/wallet/stream": { expect: players(200) },
  "GET /api/v1/notifications": { expect: players(200) },
  "GET /api/v1/notifications/stream": { expect: players(200) },
  "POST /api/v1/notifications/read": { expect: players(200), call: () => json({ all: true }) },
  "GET /api/v1/account/notification-preferences": { expect: players(200) },
  "PUT /api/v1/account/notification-preferences": {
    expect: players(200),
    call: () => json({ events: { delivered: { push: false } } }),
  },
  // Once per day each: a fresh player's token for each call.
  "POST /api/v1/wallet/daily-bonus": { expect: players(201) },
  "POST /api/v1/wallet/mail-in": {
    expect: players(201),
    call: async (fx) => {
      const { codes } = await issueMailInCodes(fx.db, {
        adminId: fx.callers.admin.id,
        count: 1,
        amount: 100,
        note: "matrix",
      });
      return json({ code: codes[0] });
    },
  },
  "GET /api/v1/coin-packages": { expect: all(200) },
  "GET /api/v1/wallet/statement": { expect: players(200) },
  "GET /api/v1/admin/wallet": { expect: adminOnly(200) },
  "GET /api/v1/admin/wallet/statements/[userId]": {
    expect: adminOnly(200),
    call: (fx) => ({ params: { userId: fx.callers.player.id } }),
  },
  "POST /api/v1/purchases": {
    expect: players(201),
    call: async (fx) => {
      await sharedTestPaymentProvider();
      return {
        ...json({ packageId: await createCoinPackage(fx.db) }),
        headers: { "content-type": "application/json", "idempotency-key": `matrix-${unique()}` },
      };
    },
  },
  "GET /api/v1/purchases/[id]": {
    expect: ownerOnly(200),
    call: async (fx) => {
      const { provider } = await sharedTestPaymentProvider();
      const { purchase } = await startPurchase(fx.db, provider, {
        userId: fx.callers.player.id,
        packageId: await createCoinPackage(fx.db),
        idempotencyKey: unique(),
        returnUrl: () => "http://localhost/wallet",
      });
      return { params: { id: purchase.id } };
    },
  },
  // Signed by the provider, not called by an account: about no payment of ours, so ignored.
  "POST /api/v1/payments/webhook": {
    expect: all(200),
    call: () => {
      const body = JSON.stringify({
        id: `evt_${unique()}`,
        type: "payment.succeeded",
        data: {
          intent: `pi_${unique()}`,
          reference: crypto.randomUUID(),
          amountCents: 100,
          currency: "usd",
        },
      });
      return {
        body,
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: signWebhook(DEV_WEBHOOK_SECRET, body),
        },
      };
    },
  },
  // Signed by the provider, not called by an account. No gift-card provider is configured in
  // the tests, so every caller gets the same 404 (lib/delivery/deliver-job.test.ts signs some).
  "POST /api/v1/providers/giftcard/webhook": {
    expect: all(404),
    call: () => json({}),
  },
  "POST /api/v1/admin/wallet/grants": {
    expect: adminOnly(201),
    call: (fx) => ({
      ...json({ userId: fx.callers.other.id, currency: "GC", amount: "1.00", reason: "matrix" }),
      headers: { "content-type": "application/json", "idempotency-key": `matrix-${unique()}` },
    }),
  },
  // A fresh payment under review each call: it is resolved once.
  "POST /api/v1/admin/payments/[id]/resolution": {
    expect: adminOnly(200),
    call: async (fx) => ({
      params: { id: await createPaymentToReview(fx.db) },
      ...json({ action: "credit", reason: "matrix" }),
    }),
  },
  "POST /api/v1/admin/wallet/mail-in-codes": {
    expect: adminOnly(201),
    call: () => json({ count: 1, amount: "1.00", note: "matrix" }),
  },
  "GET /api/v1/redemptions/[id]": {
    expect: ownerOnly(200),
    call: (fx) => ({ params: { id: fx.redemptionId } }),
  },
  "GET /api/v1/admin/redemptions": { expect: adminOnly(200) },
  "GET /api/v1/admin/redemptions/[id]": {
    expect: adminOnly(200),
    call: (fx) => ({ params: { id: fx.redemptionId } }),
  },
  // A fresh redemption each call: a reversal happens once.
  "POST /api/v1/admin/redemptions/[id]/reversal": {
    expect: adminOnly(201),
    call: async (fx) => {
      const { dropId } = await createTestDrop(fx.db, { units: 1 });
      // A player of its own: claims are rate limited per player.
      const [playerId = ""] = await createPlayers(fx.db, 1);
      const { redemption } = await claimDrop(fx.db, { dropId, playerId });
      return { params: { id: redemption.id }, ...json({ reason: "matrix" }) };
    },
  },
  // A fresh parcel each call, its address confirmed: packed happens once.
  "POST /api/v1/admin/redemptions/[id]/shipment": {
    expect: adminOnly(200),
    call: async (fx) => {
      const { dropId } = await createTestDrop(fx.db, { units: 1, kind: "physical" });
      const [playerId = ""] = await createPlayers(fx.db, 1);
      const { redemption } = await claimDrop(fx.db, { dropId, playerId });
      await confirmShipping(fx.db, playerId, redemption.id, TEST_SHIPPING_ADDRESS);
      return { params: { id: redemption.id }, ...json({ step: "packed" }) };
    },
  },
  "GET /api/v1/admin/jobs": { expect: adminOnly(200) },
  // A fresh job each call: a dead one is retried once, a pending one cancelled once.
  "POST /api/v1/admin/jobs/[queue]/[id]/retry": {
    expect: adminOnly(200),
    call: async (fx) => ({ params: { queue: "mail", id: await insertJob(fx.db, "mail_dead") } }),
  },
  "POST /api/v1/admin/jobs/[queue]/[id]/cancel": {
    expect: adminOnly(200),
    call: async (fx) => ({ params: { queue: "delivery", id: await insertDeliveryJob(fx.db) } }),
  },
  "GET /api/v1/admin/deliveries": { expect: adminOnly(200) },
  "GET /api/v1/admin/deliveries/stream": { expect: adminOnly(200) },
  "POST /api/v1/admin/deliveries/[id]/retry": {
    expect: adminOnly(200),
    call: async (fx) => ({ params: { id: await markDeliveryDead(fx.db) } }),
  },
  // Players read their own receipts, auditors any redemption's; admins, as before, none.
  "GET /api/v1/redemptions/[id]/receipt": {
    expect: { ...ownerOnly(200), auditor: 200 },
    call: (fx) => ({ params: { id: fx.redemptionId } }),
  },
  "GET /api/v1/claim-attempts": { expect: players(200) },
  "GET /api/v1/admin/prizes": { expect: adminOnly(200) },
  "POST /api/v1/admin/prizes": {
    expect: adminOnly(201),
    call: () => json({ name: `Prize ${unique()}`, kind: "crypto", value: 1, quantity: 1 }),
  },
  "POST /api/v1/admin/prizes/[id]/codes": {
    expect: adminOnly(201),
    call: (fx) => ({
      params: { id: fx.prizeId },
      body: `code\nMATRIX-${unique().toUpperCase()}\n`,
      headers: { "content-type": "text/csv" },
    }),
  },
  "GET /api/v1/admin/prizes/[id]": {
    expect: adminOnly(200),
    call: (fx) => ({ params: { id: fx.prizeId } }),
  },
  "PATCH /api/v1/admin/prizes/[id]": {
    expect: adminOnly(200),
    call: (fx) => ({ params: { id: fx.prizeId }, ...json({ description: `Matrix ${unique()}` }) }),
  },
  "GET /api/v1/admin/drops": { expect: adminOnly(200) },
  "POST /api/v1/admin/drops": {
    expect: adminOnly(201),
    call: (fx) =>
      json({
        title: `Drop ${unique()}`,
        prizeId: fx.prizeId,
        units: 1,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
  },
  "GET /api/v1/admin/drops/[id]": {
    expect: adminOnly(200),
    call: (fx) => ({ params: { id: fx.dropId } }),
  },
  "PATCH /api/v1/admin/drops/[id]": {
    expect: adminOnly(200),
    call: (fx) => ({ params: { id: fx.dropId }, ...json({ paused: false }) }),
  },
  "GET /api/v1/admin/drops/[id]/queue": {
    expect: adminOnly(200),
    call: async (fx) => ({ params: { id: await queuedTestDrop(fx.db) } }),
  },
  "PATCH /api/v1/admin/drops/[id]/queue": {
    expect: adminOnly(200),
    call: async (fx) => ({
      params: { id: await queuedTestDrop(fx.db) },
      ...json({ admissionRatePerMinute: 120 }),
    }),
  },
  "GET /api/v1/admin/accounts": { expect: adminOnly(200) },
  "GET /api/v1/admin/accounts/[id]": {
    expect: adminOnly(200),
    call: (fx) => ({ params: { id: fx.callers.other.id } }),
  },
  "PATCH /api/v1/admin/accounts/[id]": {
    expect: adminOnly(200),
    call: (fx) => ({
      params: { id: fx.callers.other.id },
      ...json({ flagged: false }),
    }),
  },
  "GET /api/v1/admin/audit-events": { expect: staff(200) },
  "GET /api/v1/admin/analytics": { expect: staff(200) },
  "GET /api/v1/admin/analytics/stream": { expect: staff(200) },
  "GET /api/v1/admin/drops/[id]/report": {
    expect: staff(200),
    call: (fx) => ({ params: { id: fx.dropId } }),
  },
  "GET /api/v1/account/limits": { expect: players(200) },
  "PUT /api/v1/account/limits": {
    expect: players(200),
    call: () => json({ sessionReminderMinutes: 30 }),
  },
  // An exclusion cannot be undone, and the matrix's players must stay free to play and redeem:
  // the callers let in are shown to get as far as reading the body, which this one lacks.
  "POST /api/v1/account/exclusions": { expect: players(400), call: () => json({}) },
  "GET /api/v1/catalog": { expect: all(200) },
  "POST /api/v1/catalog/[itemId]/redemptions": {
    expect: players(201),
    // A fresh item each call, and the caller (when a player) funded and declared for it.
    call: async (fx, role) => {
      const itemId = await createCatalogItemFor(fx);
      if (role === "player" || role === "other") {
        const id = fx.callers[role].id;
        await fx.db.update(users).set({ identityDeclaredAt: new Date() }).where(eq(users.id, id));
        await grantTestCoins(fx.db, id, "SC", 5_000, 0);
      }
      return { params: { itemId }, headers: { "idempotency-key": unique() } };
    },
  },
  "GET /api/v1/account/wallet": { expect: players(200) },
  "POST /api/v1/account/wallet/challenge": {
    expect: players(201),
    call: () => json({ address: Wallet.createRandom().address }),
  },
  // A challenge of the caller's own, signed by its wallet, for a caller with no link yet.
  "PUT /api/v1/account/wallet": {
    expect: players(200),
    call: async (fx, role) => {
      const userId = (role === "other" ? fx.callers.other : fx.callers.player).id;
      await fx.db
        .update(walletLinks)
        .set({ unlinkedAt: new Date() })
        .where(and(eq(walletLinks.userId, userId), isNull(walletLinks.unlinkedAt)));
      const wallet = Wallet.createRandom();
      const site = linkSite("http://localhost/");
      const { message } = await createLinkChallenge(
        fx.db,
        { userId },
        wallet.address,
        site,
        new Date(),
      );
      return json({ message, signature: await wallet.signMessage(message) });
    },
  },
  "DELETE /api/v1/account/wallet": {
    expect: players(204),
    call: async (fx, role) => {
      const userId = (role === "other" ? fx.callers.other : fx.callers.player).id;
      const [live] = await fx.db
        .select()
        .from(walletLinks)
        .where(and(eq(walletLinks.userId, userId), isNull(walletLinks.unlinkedAt)));
      if (!live) {
        await fx.db
          .insert(walletLinks)
          .values({ userId, address: Wallet.createRandom().address, chainId: 31337 });
      }
      return {};
    },
  },
  "GET /api/v1/account/push": { expect: players(200) },
  "POST /api/v1/account/push-subscriptions": {
    expect: players(201),
    call: () =>
      json({
        endpoint: `https://push.example/send/${unique()}`,
        keys: makeBrowserKeys(),
      }),
  },
  // A subscription of the caller's own to remove.
  "DELETE /api/v1/account/push-subscriptions": {
    expect: players(200),
    call: async (fx, role) => {
      const userId = (role === "other" ? fx.callers.other : fx.callers.player).id;
      const endpoint = `https://push.example/send/${unique()}`;
      await fx.db.insert(pushSubscriptions).values({ userId, endpoint, p256dh: "k", auth: "a" });
      return json({ endpoint });
    },
  },
  "GET /api/v1/account/identity": { expect: players(200) },
  "PUT /api/v1/account/identity": {
    expect: players(200),
    call: () =>
      json({
        legalName: "Matrix Player",
        birthDate: "1990-04-30",
        postalAddress: {
          line1: "1 Main St",
          city: "Springfield",
          postalCode: "12345",
          country: "US",
        },
      }),
  },
  "GET /api/v1/admin/catalog": { expect: adminOnly(200) },
  "POST /api/v1/admin/catalog": {
    expect: adminOnly(201),
    call: (fx) => json({ prizeId: fx.prizeId, price: "50.00", stock: 5 }),
  },
  "PATCH /api/v1/admin/catalog/[id]": {
    expect: adminOnly(200),
    call: async (fx) => ({ params: { id: await createCatalogItemFor(fx) }, ...json({ stock: 7 }) }),
  },
  "GET /api/v1/admin/reports/regulator": { expect: staff(200) },
  "GET /api/v1/admin/catalog/approvals": { expect: adminOnly(200) },
  "POST /api/v1/admin/redemptions/[id]/approval": {
    expect: adminOnly(200),
    call: async (fx) => ({ params: { id: await createHeldRedemption(fx) } }),
  },
  "POST /api/v1/admin/redemptions/[id]/rejection": {
    expect: adminOnly(200),
    call: async (fx) => ({
      params: { id: await createHeldRedemption(fx) },
      ...json({ reason: "matrix" }),
    }),
  },
  "GET /api/v1/games": { expect: all(200) },
  "GET /api/v1/fairness": { expect: players(200) },
  "PUT /api/v1/fairness/client-seed": {
    expect: players(200),
    call: () => json({ clientSeed: `matrix-${unique()}` }),
  },
  "POST /api/v1/fairness/rotate": { expect: players(200) },
  "GET /api/v1/fairness/seeds/[id]": {
    expect: all(200),
    call: async (fx) => {
      const [seed] = await fx.db.execute<{ id: string }>(
        sql`select id from fair_seeds where user_id = ${fx.callers.player.id} limit 1`,
      );
      return { params: { id: seed?.id ?? "" } };
    },
  },
  // Funded for the one round each call plays.
  "POST /api/v1/rounds": {
    expect: players(201),
    call: async (fx, role) => {
      if (role !== "anonymous") await grantTestCoins(fx.db, fx.callers[role].id, "GC", 100);
      const call = json({ game: "dice", currency: "GC", stake: "1.00", params: { target: 50 } });
      return { ...call, headers: { ...call.headers, "idempotency-key": unique() } };
    },
  },
  "GET /api/v1/rounds": { expect: players(200) },
  "GET /api/v1/rounds/[id]": {
    expect: ownerOnly(200),
    call: async (fx) => {
      await grantTestCoins(fx.db, fx.callers.player.id, "GC", 100);
      const { round } = await playRound(fx.db, {
        playerId: fx.callers.player.id,
        body: { game: "scratch", currency: "GC", stake: "1.00", params: {} },
      });
      return { params: { id: round.id } };
    },
  },
  "GET /api/v1/admin/webhooks": { expect: adminOnly(200) },
  "POST /api/v1/admin/webhooks": {
    expect: adminOnly(201),
    call: () => json({ url: "https://operator.example/hooks", eventTypes: ["drop.sold_out"] }),
  },
  "PATCH /api/v1/admin/webhooks/[id]": {
    expect: adminOnly(200),
    call: async (fx) => ({
      params: { id: await createTestWebhookEndpoint(fx) },
      ...json({ enabled: false }),
    }),
  },
  "POST /api/v1/admin/webhooks/[id]/secret": {
    expect: adminOnly(201),
    call: async (fx) => ({ params: { id: await createTestWebhookEndpoint(fx) } }),
  },
  "GET /api/v1/admin/webhooks/[id]/deliveries": {
    expect: adminOnly(200),
    call: async (fx) => ({ params: { id: await createTestWebhookEndpoint(fx) } }),
  },
  "POST /api/v1/admin/webhook-deliveries/[id]/replay": {
    expect: adminOnly(202),
    call: async (fx) => ({ params: { id: await createTestWebhookDelivery(fx) } }),
  },
  "GET /api/v1/admin/regions": { expect: adminOnly(200) },
  "PUT /api/v1/admin/regions": {
    expect: adminOnly(200),
    call: () => json({ regions: [{ code: "KP" }] }),
  },
};

/** An enabled webhook endpoint, subscribed to round.won_prize only (no other test sets it off). */
export async function createTestWebhookEndpoint(
  fx: Pick<Fixtures, "db" | "callers">,
): Promise<string> {
  const { endpoint } = await createWebhookEndpoint(
    fx.db,
    { url: `https://operator.example/${unique()}`, eventTypes: ["round.won_prize"] },
    { actorId: fx.callers.admin.id },
    { allowPrivate: false },
  );
  return endpoint.id;
}

/** A webhook delivery, to an endpoint of its own. */
export async function createTestWebhookDelivery(
  fx: Pick<Fixtures, "db" | "callers">,
): Promise<string> {
  const endpointId = await createTestWebhookEndpoint(fx);
  await fx.db.transaction((tx) => emitWebhookEvents(tx, [{ type: "round.won_prize", data: {} }]));
  const [row] = await fx.db.execute<{ id: string }>(
    sql`select id from webhook_deliveries where endpoint_id = ${endpointId}`,
  );
  if (!row) throw new Error("no webhook delivery");
  return row.id;
}

/** A catalog item at the minimum price, with stock, of a prize that needs no imported codes. */
export async function createCatalogItemFor(fx: Pick<Fixtures, "db">): Promise<string> {
  const [prize] = await fx.db
    .insert(prizes)
    .values({ name: "Matrix token", kind: "crypto", valueCents: 500, quantity: 100 })
    .returning({ id: prizes.id });
  if (!prize) throw new Error("no prize");
  const [item] = await fx.db
    .insert(catalogItems)
    .values({ prizeId: prize.id, priceSc: 5_000, stock: 100 })
    .returning({ id: catalogItems.id });
  if (!item) throw new Error("no catalog item");
  return item.id;
}

/** A fresh player's catalog redemption held for approval (priced above any threshold). */
export async function createHeldRedemption(fx: Pick<Fixtures, "db">): Promise<string> {
  const itemId = await createCatalogItemFor(fx);
  const [playerId = ""] = await createPlayers(fx.db, 1, { identityDeclaredAt: new Date() });
  await grantTestCoins(fx.db, playerId, "SC", 5_000, 0);
  const { redemptionId } = await redeemCatalogItem(fx.db, {
    playerId,
    itemId,
    idempotencyKey: unique(),
    now: new Date(),
    rules: { minimumSc: 5_000, approvalThresholdSc: 0 },
  });
  return redemptionId;
}

/** The fixtures every matrix and hostile-body call can refer to. */
export async function createFixtures(
  db: Db,
  callers: Callers,
  claims: ApiRoute,
): Promise<Fixtures> {
  const [prize] = await db
    .insert(prizes)
    .values({ name: "Matrix gift card", kind: "gift_card", valueCents: 500, quantity: 10_000 })
    .returning({ id: prizes.id });
  if (!prize) throw new Error("no prize");
  // Codes for the drops the admin routes make of it: a drop takes no more units than codes.
  const codes = Array.from({ length: 50 }, () => `MATRIX-${unique()}`);
  await importGiftCodes(db, prize.id, ["code", ...codes].join("\n"));
  const { dropId } = await createTestDrop(db, { units: 100 });
  const lottery = await createTestDrop(db, { units: 1, allocation: "lottery" });
  // The player's redemption is made the way players make them: through the claims route.
  const claimDrop = await createTestDrop(db, { units: 1 });
  const claimed = await callRoute(claims, "POST", {
    params: { dropId: claimDrop.dropId },
    token: callers.player.token,
  });
  if (claimed.status !== 201) throw new Error(`fixture claim failed: ${claimed.body}`);
  const redemptionId = (JSON.parse(claimed.body) as { redemption: { id: string } }).redemption.id;
  // The players have seen their fairness seeds (the first look commits them): a later GET
  // changes nothing.
  for (const player of [callers.player, callers.other]) await getFairness(db, player.id);
  return { db, callers, prizeId: prize.id, dropId, lotteryDropId: lottery.dropId, redemptionId };
}
