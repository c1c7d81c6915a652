/**
 * The authorisation matrix for server actions. Every export of every app/**\/actions.ts (found by
 * glob: an action without an entry below fails the test) is called in this process as an
 * anonymous visitor, a player, another player, an admin, an auditor, an admin who has not
 * turned two-factor on, and a suspended admin (whose session version is current, as if the
 * cookie were from just before the suspension), against a real database. An action either changes what the app holds or
 * it does not: each entry names the callers whose call must change it (the positive control,
 * which proves the arguments were good), and every other caller's call must change nothing
 * (domain tables digested before and after; the audit trail and rate-limit counters may grow).
 *
 * How the actions run outside Next: Next gives an action its caller through Auth.js's `auth()`
 * (which decodes the session cookie) and its request through `next/headers`, and it expects
 * `next/cache` for revalidation. Only those three are stood in for: `auth()` answers the session
 * of the account under test (its id and current session version, as a fresh sign-in would),
 * headers are a plain request's, and revalidation does nothing. Everything after — the action's
 * own checks, currentUser()'s database lookup, the domain code and PostgreSQL — is the real code.
 * That the cookie really decodes to that session is what the e2e sign-in specs show, and
 * e2e/action-authz.spec.ts posts action ids straight to the real server as the wrong callers.
 *
 * The same harness sends hostile values in each form field of each action: every one must be
 * answered (a returned state or a redirect), never thrown as a server error nor answered as one
 * (runAction's `internal` state, which stands for a failure it logged).
 */
import { randomBytes } from "node:crypto";
import { globSync } from "node:fs";
import path from "node:path";
import { and, eq, isNull, sql } from "drizzle-orm";
import { Wallet } from "ethers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  excludedRegions,
  notificationPreferences,
  pushSubscriptions,
  rgExclusions,
  users,
  walletLinks,
} from "@/db/schema";
import { issueApiToken } from "@/lib/auth/api-tokens";
import { decodeBase32, totpCode } from "@/lib/auth/totp";
import { beginEnrolment, enrolWithSecret } from "@/lib/auth/two-factor";
import { claimDrop } from "@/lib/claims/claim-drop";
import { decryptCode } from "@/lib/codes/code-crypto";
import { notifyPlayers } from "@/lib/notifications/notifications";
import { createLinkChallenge, linkSite } from "@/lib/payouts/link-wallet";
import { joinQueue } from "@/lib/queue/queue";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { issueMailInCodes } from "@/lib/wallet/free-coins";
import { session } from "@/test/auth-stub";
import {
  type Callers,
  createCallers,
  discoverApiRoutes,
  ROLES,
  type Role,
  serveRoutesFrom,
  stateDigest,
} from "./api-routes";
import {
  createCatalogItemFor,
  createFixtures,
  createHeldRedemption,
  createTestWebhookDelivery,
  createTestWebhookEndpoint,
  type Fixtures,
} from "./authz-matrix.table";
import { connectTestDb, createPlayers, createTestDrop, TEST_SHIPPING_ADDRESS } from "./db";
import { insertDeliveryJob, insertJob, markDeliveryDead } from "./jobs";
import { createCoinPackage, createPaymentToReview, sharedTestPaymentProvider } from "./payments";
import { makeBrowserKeys } from "./push-service";
import { grantTestCoins } from "./wallet";

vi.mock("@/auth", () => import("@/test/auth-stub"));
const requests = vi.hoisted(() => ({ next: 1 }));
// Each request from an address of its own (RFC 5737), so per-address limits never stop a call early.
vi.mock("next/headers", () => ({
  headers: async () => {
    const n = requests.next++;
    return new Headers({
      "x-forwarded-for": `203.0.${113 + (n >> 8)}.${n & 255}`,
      "user-agent": "vitest",
    });
  },
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));
// forbidden() refuses to run unless Next's build set this (next.config.js: authInterrupts).
process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";

const db = connectTestDb();
const ROOT = path.resolve(import.meta.dirname, "..");
const ADMIN_SECRET = "JBSWY3DPEHPK3PXP";

const CALLERS = ROLES;
type Caller = Role;

type Action = (...args: unknown[]) => Promise<unknown>;
type Args = (fx: ActionFixtures, caller: Caller) => unknown[] | Promise<unknown[]>;
type Entry =
  | {
      /** Why anyone may call it; `args`, when given, is a valid anonymous call. */
      public: string;
      args?: Args;
    }
  | {
      /** The callers whose call must change something; everyone else's must change nothing. */
      changes: Caller[];
      args: Args;
    };

type ActionFixtures = Fixtures & {
  accounts: Callers;
  /** A redemption of a physical prize, `player`'s, still waiting for an address. */
  physicalRedemptionId: string;
};

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}
const unique = () => randomBytes(5).toString("hex");
let limitCountdown = 100_000;
const ADMINS: Caller[] = ["admin"];
const PLAYERS: Caller[] = ["player", "other"];
const SIGNED_IN: Caller[] = ["player", "other", "admin", "auditor", "admin without 2FA"];

/** The TOTP code of an account's pending or enabled secret, read as the app reads it. */
async function currentCode(userId: string): Promise<string> {
  const [row] = await db
    .select({ secret: users.totpSecret, keyId: users.totpKeyId })
    .from(users)
    .where(eq(users.id, userId));
  if (!row?.secret || !row.keyId) throw new Error("no TOTP secret");
  return totpCode(decodeBase32(decryptCode(row.secret, row.keyId)));
}

const ACTIONS: Record<string, Entry> = {
  "app/(admin)/actions.ts#createPrizeAction": {
    changes: ADMINS,
    args: () => [
      {},
      form({
        name: `Prize ${unique()}`,
        kind: "crypto",
        value: "1",
        quantity: "1",
        tokenAmount: "5",
        tokenSymbol: "USDC",
      }),
    ],
  },
  "app/(admin)/actions.ts#updatePrizeAction": {
    changes: ADMINS,
    args: (fx) => [fx.prizeId, {}, form({ name: `Prize ${unique()}`, value: "2" })],
  },
  "app/(admin)/actions.ts#setPrizeRetiredAction": {
    changes: ADMINS,
    args: async (fx) => [(await createTestDrop(fx.db, { units: 1 })).prizeId, true],
  },
  "app/(admin)/actions.ts#updateDropAction": {
    changes: ADMINS,
    args: async (fx) => [
      (await createTestDrop(fx.db, { units: 1, startOffsetMs: 3_600_000, endOffsetMs: 7_200_000 }))
        .dropId,
      {},
      form({ title: `Drop ${unique()}` }),
    ],
  },
  "app/(admin)/actions.ts#endDropAction": {
    changes: ADMINS,
    args: async (fx) => [
      (await createTestDrop(fx.db, { units: 1 })).dropId,
      {},
      form({ confirm: "on" }),
    ],
  },
  "app/(admin)/actions.ts#createDropAction": {
    changes: ADMINS,
    args: (fx) => [
      {},
      form({
        title: `Drop ${unique()}`,
        prizeId: fx.prizeId,
        units: "1",
        startsAt: "2020-01-01T00:00",
        endsAt: "2099-01-01T00:00",
        tz: "UTC",
        perPlayerLimit: "1",
        allocation: "first_come",
      }),
    ],
  },
  "app/(admin)/actions.ts#setDropPausedAction": {
    changes: ADMINS,
    args: async (fx) => [(await createTestDrop(fx.db, { units: 1 })).dropId, true],
  },
  "app/(admin)/actions.ts#changeAccountAction": {
    changes: ADMINS,
    args: async () => {
      const [target] = await db
        .insert(users)
        .values({ email: `t-${unique()}@test.invalid`, passwordHash: "x", displayName: "T" })
        .returning({ id: users.id });
      return [target?.id, {}, form({ flagged: "true", flaggedReason: "matrix" })];
    },
  },
  "app/(admin)/actions.ts#createWebhookEndpointAction": {
    changes: ADMINS,
    args: () => [
      {},
      form({ url: `https://operator.example/${unique()}`, eventTypes: "drop.sold_out" }),
    ],
  },
  "app/(admin)/actions.ts#setWebhookEndpointEnabledAction": {
    changes: ADMINS,
    args: async (fx) => [await createTestWebhookEndpoint(fx), false, {}, form({})],
  },
  "app/(admin)/actions.ts#rotateWebhookSecretAction": {
    changes: ADMINS,
    args: async (fx) => [await createTestWebhookEndpoint(fx), {}, form({})],
  },
  "app/(admin)/actions.ts#replayWebhookDeliveryAction": {
    changes: ADMINS,
    args: async (fx) => [await createTestWebhookDelivery(fx), {}, form({})],
  },
  "app/(admin)/actions.ts#excludeRegionAction": {
    changes: ADMINS,
    args: () => [{}, form({ code: "KP", note: "matrix" })],
  },
  "app/(admin)/actions.ts#includeRegionAction": {
    changes: ADMINS,
    args: async () => {
      await db.insert(excludedRegions).values({ code: "IR" }).onConflictDoNothing();
      return ["IR", {}, form({ note: "matrix" })];
    },
  },
  "app/(admin)/admin/prizes/[id]/actions.ts#importCodesAction": {
    changes: ADMINS,
    args: (fx) => [fx.prizeId, {}, form({ csv: `code\nACT-${unique().toUpperCase()}\n` })],
  },
  "app/(admin)/admin/redemptions/[id]/actions.ts#reverseRedemptionAction": {
    changes: ADMINS,
    args: async (fx) => {
      const { dropId } = await createTestDrop(fx.db, { units: 1 });
      // A player of its own: claims are rate limited per player.
      const [playerId = ""] = await createPlayers(fx.db, 1);
      const { redemption } = await claimDrop(fx.db, { dropId, playerId });
      return [redemption.id, {}, form({ reason: "matrix", confirm: "on" })];
    },
  },
  "app/(admin)/admin/redemptions/[id]/actions.ts#advanceShipmentAction": {
    changes: ADMINS,
    args: async (fx) => {
      const { dropId } = await createTestDrop(fx.db, { units: 1, kind: "physical" });
      const [playerId = ""] = await createPlayers(fx.db, 1);
      const { redemption } = await claimDrop(fx.db, { dropId, playerId });
      await confirmShipping(fx.db, playerId, redemption.id, TEST_SHIPPING_ADDRESS);
      return [redemption.id, {}, form({ step: "packed" })];
    },
  },
  "app/(admin)/admin/jobs/actions.ts#retryJobAction": {
    changes: ADMINS,
    args: async (fx) => ["mail", await insertJob(fx.db, "mail_dead"), {}, form({})],
  },
  "app/(admin)/admin/jobs/actions.ts#cancelJobAction": {
    changes: ADMINS,
    args: async (fx) => ["delivery", await insertDeliveryJob(fx.db), {}, form({})],
  },
  "app/(admin)/admin/jobs/actions.ts#retryDeliveryAction": {
    changes: ADMINS,
    args: async (fx) => [await markDeliveryDead(fx.db), {}, form({})],
  },
  "app/(player)/actions.ts#claimAction": {
    changes: PLAYERS,
    args: async (fx) => [(await createTestDrop(fx.db, { units: 1 })).dropId, {}, form({})],
  },
  // A drop 10 minutes from its start, its waiting room's pre-queue open (15 minutes ahead).
  "app/(player)/drops/[id]/queue/actions.ts#joinQueueAction": {
    changes: PLAYERS,
    args: async (fx) => [
      (
        await createTestDrop(fx.db, {
          units: 1,
          startOffsetMs: 600_000,
          waitingRoom: { enabled: true },
        })
      ).dropId,
      {},
    ],
  },
  // A scheduled drop (starting in 10 minutes) that the action starts now.
  "app/(admin)/actions.ts#startDropNowAction": {
    changes: ADMINS,
    args: async (fx) => [
      (await createTestDrop(fx.db, { units: 1, startOffsetMs: 600_000 })).dropId,
      {},
      form({ confirm: "on" }),
    ],
  },
  // The caller holds a pre-queue place (where the room takes the account), and leaves it.
  "app/(player)/drops/[id]/queue/actions.ts#leaveQueueAction": {
    changes: PLAYERS,
    args: async (fx, caller) => {
      const { dropId } = await createTestDrop(fx.db, {
        units: 1,
        startOffsetMs: 600_000,
        waitingRoom: { enabled: true },
      });
      if (caller !== "anonymous") {
        // A suspended account, say, takes no place: there is then nothing to leave.
        await joinQueue(fx.db, { dropId, playerId: fx.accounts[caller].id }).catch(() => {});
      }
      return [dropId, {}];
    },
  },
  "app/(admin)/actions.ts#setAdmissionRateAction": {
    changes: ADMINS,
    args: async (fx) => [
      (await createTestDrop(fx.db, { units: 1, waitingRoom: { enabled: true } })).dropId,
      {},
      form({ admissionRatePerMinute: "120" }),
    ],
  },
  "app/(player)/actions.ts#buyPackageAction": {
    changes: PLAYERS,
    args: async (fx) => {
      await sharedTestPaymentProvider();
      return [await createCoinPackage(fx.db), {}, form({ idempotencyKey: crypto.randomUUID() })];
    },
  },
  // Once per day per player: each player's first call is the one that changes.
  "app/(player)/actions.ts#claimDailyBonusAction": {
    changes: PLAYERS,
    args: () => [{}, form({})],
  },
  "app/(player)/actions.ts#redeemMailInAction": {
    changes: PLAYERS,
    args: async (fx) => {
      const { codes } = await issueMailInCodes(fx.db, {
        adminId: fx.accounts.admin.id,
        count: 1,
        amount: 100,
        note: "matrix",
      });
      return [{}, form({ code: codes[0] ?? "" })];
    },
  },
  "app/(admin)/actions.ts#grantCoinsAction": {
    changes: ADMINS,
    args: (fx) => [
      {},
      form({
        userId: fx.accounts.other.id,
        currency: "SC",
        amount: "1.00",
        reason: "matrix",
        idempotencyKey: crypto.randomUUID(),
      }),
    ],
  },
  "app/(admin)/actions.ts#resolvePaymentAction": {
    changes: ADMINS,
    args: async (fx) => [
      await createPaymentToReview(fx.db),
      {},
      form({ action: "credit", reason: "matrix" }),
    ],
  },
  "app/(admin)/actions.ts#createCoinPackageAction": {
    changes: ADMINS,
    args: () => [{}, form({ name: "Matrix pack", price: "1.99", gc: "100.00", bonusSc: "0" })],
  },
  "app/(admin)/actions.ts#setCoinPackageRetiredAction": {
    changes: ADMINS,
    args: async (fx) => [await createCoinPackage(fx.db), true],
  },
  "app/(admin)/actions.ts#issueMailInCodesAction": {
    changes: ADMINS,
    args: () => [{}, form({ count: "2", amount: "1.00", note: "matrix" })],
  },
  "app/(player)/actions.ts#playRoundAction": {
    changes: PLAYERS,
    args: async (fx, caller) => {
      if (caller !== "anonymous") await grantTestCoins(db, fx.accounts[caller].id, "GC", 100);
      const round = { game: "dice", currency: "GC", stake: "1.00", params: { target: 50 } };
      return [{ idempotencyKey: crypto.randomUUID(), round }];
    },
  },
  "app/(player)/actions.ts#setClientSeedAction": {
    changes: PLAYERS,
    args: () => [{}, form({ clientSeed: `matrix-${unique()}` })],
  },
  "app/(player)/actions.ts#markNotificationsReadAction": {
    // Each caller has an unread notification of their own: a player marks only theirs read.
    changes: PLAYERS,
    args: async (fx, caller) => {
      if (caller !== "anonymous") {
        const playerId = fx.accounts[caller].id;
        await db.transaction((tx) =>
          notifyPlayers(tx, [
            {
              playerId,
              kind: "redemption_confirmed",
              title: "matrix",
              body: "matrix",
              link: null,
              redemptionId: null,
            },
          ]),
        );
      }
      return [{}, form({ all: "true" })];
    },
  },
  "app/(player)/actions.ts#rotateSeedAction": {
    changes: PLAYERS,
    args: () => [{}, form({})],
  },
  "app/(player)/actions.ts#confirmShippingAction": {
    changes: ["player"],
    args: (fx) => [
      fx.physicalRedemptionId,
      {},
      form({
        name: "A Player",
        line1: "1 Main St",
        city: "Springfield",
        postalCode: "12345",
        country: "US",
      }),
    ],
  },
  "app/(player)/drops/[id]/lottery/actions.ts#enterLotteryAction": {
    changes: PLAYERS,
    args: async (fx) => [
      (await createTestDrop(fx.db, { units: 1, allocation: "lottery" })).dropId,
      {},
    ],
  },
  "app/(player)/account/actions.ts#createTokenAction": {
    changes: SIGNED_IN,
    args: () => [{}, form({ name: `t-${unique()}`, expiresInDays: "30" })],
  },
  "app/(player)/account/actions.ts#revokeTokenAction": {
    // `player`'s own token: no one else can revoke it.
    changes: ["player"],
    args: async (fx) => [(await issueApiToken(fx.db, fx.accounts.player.id)).id],
  },
  "app/(player)/account/actions.ts#signOutEverywhereAction": { changes: SIGNED_IN, args: () => [] },
  "app/(player)/account/actions.ts#declareProfileAction": {
    // Each caller's own profile is left open first: whoever is signed in completes only their own.
    changes: SIGNED_IN,
    args: async (fx, caller) => {
      if (caller !== "anonymous") {
        await db
          .update(users)
          .set({ region: null, adultDeclaredAt: null })
          .where(eq(users.id, fx.accounts[caller].id));
      }
      return [{}, form({ region: "CA", adult: "yes" })];
    },
  },
  "app/(player)/account/actions.ts#renameAccountAction": {
    // Each caller renames only their own account, to a name it has not had yet.
    changes: SIGNED_IN,
    args: () => [{}, form({ displayName: `Renamed ${randomBytes(4).toString("hex")}` })],
  },
  "app/(player)/account/actions.ts#beginTwoFactorAction": {
    // Admins and auditors here already have two-factor on: there is nothing to begin.
    changes: ["player", "other", "admin without 2FA"],
    args: () => [],
  },
  "app/(player)/account/actions.ts#confirmTwoFactorAction": {
    changes: ["player"],
    args: async (fx) => {
      // Everyone gets the code of `player`'s pending enrolment: it works only for `player`.
      const id = fx.accounts.player.id;
      await db.update(users).set({ totpEnabledAt: null }).where(eq(users.id, id));
      await beginEnrolment(db, id);
      return [{}, form({ code: await currentCode(id) })];
    },
  },
  "app/(player)/account/actions.ts#disableTwoFactorAction": {
    // A player may turn it off (admins and auditors must keep it): everyone gets `player`'s code.
    changes: ["player"],
    args: async (fx) => {
      const id = fx.accounts.player.id;
      await enrolWithSecret(db, id, ADMIN_SECRET);
      await db.update(users).set({ totpLastStep: null }).where(eq(users.id, id));
      return [{}, form({ code: await currentCode(id) })];
    },
  },
  "app/(player)/account/actions.ts#beginWalletLinkAction": {
    changes: PLAYERS,
    args: () => [{}, form({ address: Wallet.createRandom().address })],
  },
  "app/(player)/account/actions.ts#linkWalletAction": {
    // Everyone gets a message for `player`'s nonce, signed by its wallet: it links only for `player`.
    changes: ["player"],
    args: async (fx) => {
      const userId = fx.accounts.player.id;
      await db
        .update(walletLinks)
        .set({ unlinkedAt: new Date() })
        .where(and(eq(walletLinks.userId, userId), isNull(walletLinks.unlinkedAt)));
      const wallet = Wallet.createRandom();
      const site = linkSite("http://localhost/");
      const { message } = await createLinkChallenge(
        db,
        { userId },
        wallet.address,
        site,
        new Date(),
      );
      return [{}, form({ message, signature: await wallet.signMessage(message) })];
    },
  },
  "app/(player)/account/actions.ts#saveNotificationPreferencesAction": {
    // Every caller starts from no choices made: a player's call turns their own mail off.
    changes: PLAYERS,
    args: async () => {
      await db.delete(notificationPreferences);
      return [{}, form({ inAppOnly: "yes" })];
    },
  },
  "app/(player)/account/actions.ts#unlinkWalletAction": {
    // Both players have a wallet linked: each unlinks only their own.
    changes: PLAYERS,
    args: async (fx) => {
      for (const userId of [fx.accounts.player.id, fx.accounts.other.id]) {
        const [live] = await db
          .select()
          .from(walletLinks)
          .where(and(eq(walletLinks.userId, userId), isNull(walletLinks.unlinkedAt)));
        if (!live) {
          await db
            .insert(walletLinks)
            .values({ userId, address: Wallet.createRandom().address, chainId: 31337 });
        }
      }
      return [];
    },
  },
  "app/(player)/account/actions.ts#subscribePushAction": {
    changes: PLAYERS,
    args: () => [
      {
        endpoint: `https://push.example/send/${unique()}`,
        keys: makeBrowserKeys(),
      },
    ],
  },
  "app/(player)/account/actions.ts#unsubscribePushAction": {
    // `player`'s browser: only `player` turns it off.
    changes: ["player"],
    args: async (fx) => {
      const endpoint = `https://push.example/send/${unique()}`;
      await db
        .insert(pushSubscriptions)
        .values({ userId: fx.accounts.player.id, endpoint, p256dh: "k", auth: "a" });
      return [endpoint];
    },
  },
  "app/(player)/account/actions.ts#setLimitsAction": {
    // A lower limit each call applies at once, so each allowed call changes something.
    changes: PLAYERS,
    args: () => [{}, form({ "wager_gc.day": String(limitCountdown--) })],
  },
  "app/(player)/account/actions.ts#setSessionReminderAction": {
    changes: PLAYERS,
    args: async (fx, caller) => {
      if (caller !== "anonymous") {
        await db
          .update(users)
          .set({ sessionReminderMinutes: null })
          .where(eq(users.id, fx.accounts[caller].id));
      }
      return [{}, form({ minutes: "30" })];
    },
  },
  "app/(player)/account/actions.ts#startExclusionAction": {
    // Nobody ends an exclusion early, but the matrix's players must stay free to play and
    // redeem in the entries after this one: the test removes what each call starts, first.
    changes: PLAYERS,
    args: async () => {
      await db.delete(rgExclusions);
      return [{}, form({ kind: "cool_off", days: "1", confirm: "yes" })];
    },
  },
  "app/(player)/actions.ts#redeemCatalogItemAction": {
    changes: PLAYERS,
    args: async (fx, caller) => {
      const itemId = await createCatalogItemFor(fx);
      // The exclusion entry's cool-offs would refuse the redemption: they are the test's own.
      await db.delete(rgExclusions);
      if (caller === "player" || caller === "other") {
        const id = fx.accounts[caller].id;
        await db.update(users).set({ identityDeclaredAt: new Date() }).where(eq(users.id, id));
        await grantTestCoins(db, id, "SC", 5_000, 0);
      }
      return [itemId, {}, form({ idempotencyKey: crypto.randomUUID() })];
    },
  },
  "app/(player)/account/actions.ts#declareIdentityAction": {
    changes: PLAYERS,
    args: () => [
      {},
      form({
        legalName: `Player ${unique()}`,
        birthDate: "1990-04-30",
        line1: "1 Main St",
        city: "Springfield",
        postalCode: "12345",
        country: "US",
      }),
    ],
  },
  "app/(admin)/admin/catalog/actions.ts#createCatalogItemAction": {
    changes: ADMINS,
    args: (fx) => [{}, form({ prizeId: fx.prizeId, price: "50.00", stock: "5" })],
  },
  "app/(admin)/admin/catalog/actions.ts#updateCatalogItemAction": {
    changes: ADMINS,
    args: async (fx) => [await createCatalogItemFor(fx), {}, form({ price: "60.00", stock: "9" })],
  },
  "app/(admin)/admin/catalog/actions.ts#setCatalogItemRetiredAction": {
    changes: ADMINS,
    args: async (fx) => [await createCatalogItemFor(fx), true],
  },
  "app/(admin)/admin/catalog/actions.ts#approveRedemptionAction": {
    changes: ADMINS,
    args: async (fx) => [await createHeldRedemption(fx), {}, form({})],
  },
  "app/(admin)/admin/catalog/actions.ts#rejectRedemptionAction": {
    changes: ADMINS,
    args: async (fx) => [await createHeldRedemption(fx), {}, form({ reason: "matrix" })],
  },
  "app/(auth)/actions.ts#signInAction": { public: "the password is the authority" },
  "app/(auth)/actions.ts#signUpAction": {
    public: "anyone may sign up",
    args: () => [
      {},
      form({
        email: `s-${unique()}@test.invalid`,
        password: "a long enough password",
        displayName: "S",
        region: "US",
        adult: "on",
      }),
    ],
  },
  "app/(public)/actions.ts#unsubscribeAction": {
    public: "the mailed token is the authority",
    args: () => [{}, form({ token: "not-a-token" })],
  },
  "app/(auth)/actions.ts#signOutAction": { public: "ends only the caller's own session" },
  "app/(auth)/actions.ts#confirmEmailAction": {
    public: "the mailed token is the authority",
    args: () => [{}, form({ token: "not-a-token" })],
  },
  "app/(auth)/actions.ts#forgotPasswordAction": {
    public: "anyone may ask for a reset mail",
    args: (fx) => [{}, form({ email: fx.accounts.other.email })],
  },
  "app/(auth)/actions.ts#resetPasswordAction": {
    public: "the mailed token is the authority",
    args: () => [
      {},
      form({
        token: "not-a-token",
        password: "a long enough password",
        confirm: "a long enough password",
      }),
    ],
  },
  "app/(auth)/actions.ts#resendVerificationAction": {
    // Only an unverified account gets a new mail: `other` is made one for this action.
    changes: ["other"],
    args: async (fx) => {
      await db
        .update(users)
        .set({ emailVerifiedAt: null })
        .where(eq(users.id, fx.accounts.other.id));
      return [{}, form({ next: "/catalog" })];
    },
  },
};

let fx: ActionFixtures;
const actions: Array<{ key: string; run: Action }> = [];

async function sessionOf(caller: Caller): Promise<unknown> {
  if (caller === "anonymous") return null;
  const account = fx.accounts[caller];
  const [row] = await db
    .select({ role: users.role, sessionVersion: users.sessionVersion })
    .from(users)
    .where(eq(users.id, account.id));
  return {
    user: {
      id: account.id,
      email: account.email,
      role: row?.role,
      sessionVersion: row?.sessionVersion,
    },
  };
}

beforeAll(async () => {
  serveRoutesFrom(db);
  const routes = await discoverApiRoutes();
  const claims = routes.find((r) => r.pattern === "/api/v1/drops/[dropId]/claims");
  if (!claims) throw new Error("no claims route");
  const callers = await createCallers(db);
  const base = await createFixtures(db, callers, claims);
  const physical = await createTestDrop(db, { units: 1, kind: "physical" });
  const { claimDrop } = await import("@/lib/claims/claim-drop");
  const claimed = await claimDrop(db, {
    dropId: physical.dropId,
    playerId: callers.player.id,
    requestHash: randomBytes(32),
  });
  fx = {
    ...base,
    accounts: callers,
    physicalRedemptionId: claimed.redemption.id,
  };
  for (const file of globSync("app/**/actions.ts", { cwd: ROOT }).sort()) {
    const module = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (typeof value === "function")
        actions.push({ key: `${file}#${name}`, run: value as Action });
    }
  }
});

// Every action times every caller, two digests of every table each: minutes on a busy machine.
describe("server action authorisation", { timeout: 240_000 }, () => {
  it("has an entry for every action, and none for an action that is gone", () => {
    const keys = actions.map((a) => a.key);
    expect(
      keys.filter((k) => !ACTIONS[k]),
      "actions missing from the table",
    ).toEqual([]);
    expect(
      Object.keys(ACTIONS).filter((k) => !keys.includes(k)),
      "entries without an action",
    ).toEqual([]);
  });

  it("changes state for the callers allowed, and nothing for anyone else", async () => {
    const wrong: string[] = [];
    for (const { key, run } of actions) {
      const entry = ACTIONS[key];
      if (!entry || "public" in entry) continue;
      // Refused callers first, so that the allowed call finds the state they must not touch.
      const order = [...CALLERS].sort(
        (a, b) => Number(entry.changes.includes(a)) - Number(entry.changes.includes(b)),
      );
      for (const caller of order) {
        // Each call starts from the callers as made: admins and auditors with two-factor on,
        // `other` verified.
        await enrolWithSecret(db, fx.accounts.admin.id, ADMIN_SECRET);
        await enrolWithSecret(db, fx.accounts.auditor.id, ADMIN_SECRET);
        await db
          .update(users)
          .set({ emailVerifiedAt: sql`now()` })
          .where(eq(users.id, fx.accounts.other.id));
        const args = await entry.args(fx, caller);
        session.current = await sessionOf(caller);
        const before = await stateDigest(db);
        const outcome = await run(...args).then(
          (value) => JSON.stringify(value ?? null),
          (error: Error & { digest?: string }) => `threw ${error.digest ?? error.message}`,
        );
        const changed = JSON.stringify(await stateDigest(db)) !== JSON.stringify(before);
        if (changed !== entry.changes.includes(caller)) {
          wrong.push(
            `${key} as ${caller}: ${changed ? "changed state" : "changed nothing"} (${outcome.slice(0, 160)})`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("hostile form values are answered, never a server error", async () => {
    const values = [
      "a\u0000b",
      "A".repeat(100_000),
      "1e308",
      "-1",
      "2147483648",
      "9223372036854775808",
      "'; drop table users; --",
      "<script>alert(1)</script>",
      "\u202Egnp.exe",
      "🎁💥",
    ];
    const failures: string[] = [];
    for (const { key, run } of actions) {
      const entry = ACTIONS[key];
      if (!entry?.args) continue;
      const caller = "public" in entry ? "anonymous" : entry.changes[0];
      if (!caller) continue;
      const sample = await entry.args(fx, caller);
      const fields = sample.flatMap((arg) => (arg instanceof FormData ? [...arg.keys()] : []));
      for (const field of fields) {
        for (const value of values) {
          await enrolWithSecret(db, fx.accounts.admin.id, ADMIN_SECRET);
          await enrolWithSecret(db, fx.accounts.auditor.id, ADMIN_SECRET);
          const args = (await entry.args(fx, caller)).map((arg) => {
            if (!(arg instanceof FormData)) return arg;
            const changed = new FormData();
            for (const [name, v] of arg.entries()) changed.set(name, name === field ? value : v);
            return changed;
          });
          session.current = await sessionOf(caller);
          // A redirect is an answer; any other throw is what Next would turn into a 500, and an
          // `internal` state is what runAction answers for a failure it did not expect.
          const where = `${key} ${field}=${JSON.stringify(value.slice(0, 20))}`;
          await run(...args).then(
            (state) => {
              if ((state as { code?: string } | undefined)?.code === "internal") {
                failures.push(`${where}: answered ${JSON.stringify(state)}`);
              }
            },
            (error: Error & { digest?: string }) => {
              if (!error.digest?.startsWith("NEXT_REDIRECT")) {
                failures.push(`${where}: ${error.message.slice(0, 120)}`);
              }
            },
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
