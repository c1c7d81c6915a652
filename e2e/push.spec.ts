/**
 * Web Push: a player turns push on at /account, claims a prize, and the local push service
 * (scripts/push-service.ts, RFC 8030) receives the push, encrypted to this browser's keys and
 * signed with the server's VAPID key; decrypted here, it is the notification. Then push goes off.
 *
 * The one part substituted: headless Chromium has no push service it can reach, so
 * PushManager.subscribe is replaced (page.addInitScript) by one that answers a subscription at
 * the local push service, whose P-256 keys were made here so the test can decrypt what the server
 * encrypted to them. Everything else is real: the permission, the service worker's registration,
 * the page's control, the server action, the worker's job, the push over HTTP.
 */
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createDb } from "../db/client";
import { prizes } from "../db/schema";
import { createDrop } from "../lib/drops/drops";
import { createDropSchema } from "../lib/drops/model";
import { embeddedPostgresUrl } from "../scripts/lib/embedded-postgres";
import { decryptPush, type RunningPushService, startPushService } from "../test/push-service";
import { BASE_URL, E2E_PG_PORT } from "./constants";
import { createPlayer, shot, signIn } from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

let service: RunningPushService;
test.beforeAll(async () => {
  service = await startPushService();
});
test.afterAll(async () => {
  await service?.stop();
});

/** A crypto prize's drop: with no wallet linked its delivery waits for one, and says so. */
async function createDropOfOne(): Promise<string> {
  const { db, sql: connection } = createDb(embeddedPostgresUrl(E2E_PG_PORT), 1);
  try {
    const [prize] = await db
      .insert(prizes)
      .values({
        name: "Push test coin",
        kind: "crypto",
        valueCents: 500,
        quantity: 1,
        tokenAmount: "1",
        tokenSymbol: "PLT",
      })
      .returning({ id: prizes.id });
    const drop = await createDrop(
      db,
      createDropSchema.parse({
        title: "Push test drop",
        prizeId: prize?.id,
        units: 1,
        startsAt: new Date(Date.now() - 60_000),
        endsAt: new Date(Date.now() + 3_600_000),
        perPlayerLimit: 1,
      }),
    );
    return drop.id;
  } finally {
    await connection.end();
  }
}

/** Stands in for the browser's push service: see the file's comment. */
function fakePushManager(fake: { endpoint: string; p256dh: string; auth: string }) {
  const KEY = "e2e-fake-push-subscription";
  const make = () => ({
    endpoint: fake.endpoint,
    expirationTime: null,
    toJSON: () => ({
      endpoint: fake.endpoint,
      expirationTime: null,
      keys: { p256dh: fake.p256dh, auth: fake.auth },
    }),
    unsubscribe: async () => {
      localStorage.removeItem(KEY);
      return true;
    },
  });
  PushManager.prototype.subscribe = async function subscribe(options) {
    if (!options?.userVisibleOnly || !options.applicationServerKey) {
      throw new DOMException("userVisibleOnly and applicationServerKey are required");
    }
    localStorage.setItem(KEY, "1");
    return make() as unknown as PushSubscription;
  };
  PushManager.prototype.getSubscription = async function getSubscription() {
    return (localStorage.getItem(KEY) ? make() : null) as unknown as PushSubscription | null;
  };
}

const section = (page: import("@playwright/test").Page, name: string) =>
  page.getByTestId("push").screenshot({
    path: path.join("test-results", "screenshots", `${name}.png`),
  });

for (const size of SIZES) {
  test(`push on at /account, a claim arrives encrypted at the push service (${size.name})`, async ({
    browser,
    request,
  }) => {
    const context = await browser.newContext({ viewport: size.viewport });
    await context.grantPermissions(["notifications"], { origin: BASE_URL });
    const page = await context.newPage();
    const player = await createPlayer(request, `push-${size.name}`);
    await signIn(page, player.email, player.password);
    const state = await (await page.request.get("/api/v1/account/push")).json();
    expect(state).toEqual({ publicKey: expect.any(String), subscriptions: 0 });
    const browserSide = await service.subscribe(state.publicKey);
    await context.addInitScript(fakePushManager, {
      endpoint: browserSide.endpoint,
      p256dh: browserSide.keys.p256dh,
      auth: browserSide.keys.auth,
    });

    await test.step("turn push on", async () => {
      await page.goto("/account");
      const control = page.getByTestId("push-control");
      await expect(control).toHaveAttribute("data-status", "off");
      await section(page, `push-01-off-${size.name}`);
      await page.getByRole("button", { name: "Turn on push notifications" }).click();
      await expect(control).toHaveAttribute("data-status", "on");
      await expect(page.getByTestId("push-status")).toHaveText(
        "On in this browser. You get them in 1 browser.",
      );
      // The real service worker took the page.
      expect(
        await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL),
      ).toBe(`${BASE_URL}/sw.js`);
      await section(page, `push-02-on-${size.name}`);
      await shot(page, `push-03-account-${size.name}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(size.viewport.width);
    });

    await test.step("a claim is pushed, encrypted to this browser", async () => {
      const dropId = await createDropOfOne();
      await page.goto(`/drops/${dropId}`);
      await page.getByRole("button", { name: "Claim one unit" }).click();
      await expect(page.getByTestId("claim-success")).toBeVisible();
      // Two notifications, in either order: the claim, and the wallet the payout waits for.
      await expect.poll(async () => (await service.messages(browserSide.id)).length).toBe(2);
      const pushed = await service.messages(browserSide.id);
      for (const message of pushed) {
        expect(message).toMatchObject({ contentEncoding: "aes128gcm", ttl: 86_400 });
      }
      const payloads = pushed
        .map((m) => JSON.parse(decryptPush(m.body, browserSide.keys)) as { title: string })
        .sort((a, b) => a.title.localeCompare(b.title));
      expect(payloads).toMatchObject([
        // Linking a wallet is done on /account.
        { title: "Push test coin: one step left for you", link: "/account" },
        {
          title: "You claimed Push test coin",
          link: expect.stringMatching(/^\/redemptions\/[0-9a-f-]{36}$/),
        },
      ]);
    });

    await test.step("turn push off", async () => {
      await page.goto("/account");
      const control = page.getByTestId("push-control");
      await expect(control).toHaveAttribute("data-status", "on");
      await page.getByRole("button", { name: "Turn off push notifications" }).click();
      await expect(control).toHaveAttribute("data-status", "off");
      await expect(page.getByTestId("push-status")).toHaveText("Off in this browser.");
      const after = await (await page.request.get("/api/v1/account/push")).json();
      expect(after.subscriptions).toBe(0);
      await section(page, `push-04-off-again-${size.name}`);
    });
    await context.close();
  });
}

test("a browser that blocked notifications is told how to allow them", async ({
  browser,
  request,
}) => {
  const context = await browser.newContext({ viewport: SIZES[1].viewport });
  const page = await context.newPage();
  const player = await createPlayer(request, "push-denied");
  await signIn(page, player.email, player.password);
  await context.addInitScript(() => {
    Object.defineProperty(Notification, "permission", { get: () => "denied" });
  });
  await page.goto("/account");
  await expect(page.getByTestId("push-control")).toHaveAttribute("data-status", "denied");
  await expect(page.getByTestId("push-status")).toContainText("blocked for this site");
  await expect(page.getByRole("button", { name: "Turn on push notifications" })).toHaveCount(0);
  await section(page, "push-05-denied-phone");
  await context.close();
});
