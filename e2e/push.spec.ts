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
import { decryptPush, type RunningPushService, startPushService } from "../test/push-service";
import { BASE_URL } from "./constants";
import { createCryptoDrops } from "./crypto-drops";
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
      const [dropId = ""] = await createCryptoDrops("Push test", 1);
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
