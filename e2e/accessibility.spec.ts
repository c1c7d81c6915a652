/**
 * Every page of the app, as the role that may open it, at desktop and phone size: axe-core finds
 * no serious or critical violation, and on a phone nothing makes the page wider than the screen
 * (a wide table scrolls inside its own box). A phone screenshot of each page is saved to look at.
 * Each role signs in once, in a browser context of its own; the data the pages need (a player, a
 * claim, a round, a lottery, a webhook endpoint) is made here, apart from the demo's.
 */
import AxeBuilder from "@axe-core/playwright";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { embeddedPostgresUrl } from "../scripts/lib/embedded-postgres";
import { grantTestCoins } from "../test/wallet";
import { BASE_URL, E2E_PG_PORT } from "./constants";
import { createCryptoDrops } from "./crypto-drops";
import { ADMIN_EMAIL, apiToken, createPlayer, otherClientIp, shot, signIn, UUID } from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

/** What the pages are about: ids made by beforeAll. */
type Fixture = {
  player: { id: string; email: string; password: string };
  dropId: string;
  prizeId: string;
  redemptionId: string;
  roundId: string;
  lotteryId: string;
  /** A first-come drop with its waiting room open, the player in its pre-queue. */
  queuedDropId: string;
  webhookId: string;
};
let data: Fixture;

type Violation = { page: string; size: string; rule: string; impact: string; targets: string[] };

/**
 * Opens each path at both sizes and collects what is wrong, so one run names every problem
 * rather than the first; the test then fails with the whole list.
 */
async function auditPages(page: Page, label: string, paths: string[]): Promise<void> {
  const violations: Violation[] = [];
  const overflows: string[] = [];
  for (const size of SIZES) {
    await page.setViewportSize(size.viewport);
    for (const path of paths) {
      const res = await page.goto(path);
      expect.soft(res?.status(), `${path} answers`).toBeLessThan(400);
      await expect(page.locator("main")).toBeVisible();
      const results = await new AxeBuilder({ page }).analyze();
      for (const v of results.violations) {
        if (v.impact !== "serious" && v.impact !== "critical") continue;
        violations.push({
          page: path,
          size: size.name,
          rule: `${v.id}: ${v.help}`,
          impact: v.impact,
          targets: v.nodes.slice(0, 5).map((node) => node.target.join(" ")),
        });
      }
      if (size.name === "phone") {
        const widths = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
          // The elements that reach past the right edge outside a scrolling box (and outside
          // the folded header menu, which is not laid out), to say what to fix.
          wider: Array.from(document.querySelectorAll("body *"))
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .filter((el) => !el.closest("details:not([open])"))
            .filter((el) => {
              for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                if (getComputedStyle(up).overflowX !== "visible") return false;
              }
              return true;
            })
            .slice(0, 4)
            .map(
              (el) =>
                `${el.parentElement?.tagName.toLowerCase()} > ${el.tagName.toLowerCase()}.${el.className} to ${Math.round(el.getBoundingClientRect().right)}px`,
            ),
        }));
        if (widths.scroll > widths.inner) {
          overflows.push(`${path}: ${widths.scroll}px wide (${widths.wider.join(", ")})`);
        }
        // Named by the route, not the ids of this run, so a new run replaces the old shots.
        const route = path.replace(new RegExp(UUID.source, "g"), "id");
        const name = `a11y-${label}-${route.replace(/[^a-z0-9]+/gi, "-").replace(/-$/, "")}`;
        // The API reference is some 180,000 px tall: its first screen is enough to look at.
        const tall = await page.evaluate(() => document.documentElement.scrollHeight > 20_000);
        if (tall) await page.screenshot({ path: `test-results/screenshots/${name}.png` });
        else await shot(page, name);
      }
    }
  }
  expect.soft(violations, "serious or critical axe violations").toEqual([]);
  expect.soft(overflows, "pages wider than a phone").toEqual([]);
}

/** A browser context signed in once as `email` (desktop size; each page sets its own). */
async function signedIn(browser: Browser, email: string, password?: string) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: SIZES[0].viewport });
  const page = await context.newPage();
  await signIn(page, email, password);
  return { context, page };
}

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL: BASE_URL });
  try {
    const player = await createPlayer(request, "a11y");
    const playerAuth = {
      authorization: `Bearer ${await apiToken(request, player.email, player.password)}`,
    };
    const admin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };

    const [dropId] = await createCryptoDrops("A11y", 1);
    const claimed = await request.post(`/api/v1/drops/${dropId}/claims`, {
      headers: { ...playerAuth, "x-forwarded-for": otherClientIp() },
    });
    expect(claimed.status(), await claimed.text()).toBe(201);
    const redemptionId = ((await claimed.json()) as { redemption: { id: string } }).redemption.id;

    const { db, sql: connection } = createDb(embeddedPostgresUrl(E2E_PG_PORT), 1);
    let prizeId: string;
    try {
      await grantTestCoins(db, player.id, "GC", 1_000);
      const [drop] = await db.execute<{ prize_id: string }>(
        sql`select prize_id from drop_pools where drop_id = ${dropId} limit 1`,
      );
      prizeId = drop?.prize_id ?? "";
    } finally {
      await connection.end();
    }
    const round = await request.post("/api/v1/rounds", {
      headers: playerAuth,
      data: { game: "dice", currency: "GC", stake: "1.00", params: { target: 50 } },
    });
    expect(round.status(), await round.text()).toBe(201);
    const roundId = ((await round.json()) as { round: { id: string } }).round.id;

    /** A drop of one unit of a new physical prize, with `drop` for its window and mode. */
    const physicalDrop = async (title: string, drop: Record<string, unknown>) => {
      const prize = await request.post("/api/v1/admin/prizes", {
        headers: admin,
        data: { name: `${title} prize`, kind: "physical", value: 5, quantity: 1 },
      });
      expect(prize.status(), await prize.text()).toBe(201);
      const created = await request.post("/api/v1/admin/drops", {
        headers: admin,
        data: { title, prizeId: ((await prize.json()) as { id: string }).id, units: 1, ...drop },
      });
      expect(created.status(), await created.text()).toBe(201);
      return ((await created.json()) as { id: string }).id;
    };
    const lotteryId = await physicalDrop("A11y lottery", {
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      allocation: "lottery",
    });
    const queuedDropId = await physicalDrop("A11y queued drop", {
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 7_200_000).toISOString(),
      waitingRoom: { enabled: true, preQueueMinutes: 120 },
    });
    const joined = await request.post(`/api/v1/drops/${queuedDropId}/queue`, {
      headers: playerAuth,
    });
    expect(joined.ok(), await joined.text()).toBe(true);

    const webhook = await request.post("/api/v1/admin/webhooks", {
      headers: admin,
      data: { url: "http://127.0.0.1:9/a11y", eventTypes: ["redemption.created"] },
    });
    expect(webhook.status(), await webhook.text()).toBe(201);

    data = {
      player,
      dropId: dropId ?? "",
      prizeId,
      redemptionId,
      roundId,
      lotteryId,
      queuedDropId,
      webhookId: ((await webhook.json()) as { endpoint: { id: string } }).endpoint.id,
    };
    for (const [name, id] of Object.entries(data).slice(1)) expect(id, name).toMatch(UUID);
  } finally {
    await request.dispose();
  }
});

test("the public and sign-in pages, as a visitor", async ({ page }) => {
  test.setTimeout(600_000);
  await auditPages(page, "visitor", [
    "/",
    "/catalog",
    "/ledger",
    "/verify",
    "/api/docs",
    "/dev/mailbox",
    `/drops/${data.lotteryId}/lottery`,
    `/drops/${data.queuedDropId}`,
    `/drops/${data.queuedDropId}/queue`,
    "/unsubscribe",
    "/signin",
    "/signup",
    "/forgot-password",
    "/reset-password",
    "/reset-password/done",
    "/verify-email",
    "/verify-email/confirmed",
  ]);
});

test("the player's pages, as a player", async ({ browser }) => {
  test.setTimeout(600_000);
  const { context, page } = await signedIn(browser, data.player.email, data.player.password);
  try {
    await auditPages(page, "player", [
      "/",
      `/drops/${data.dropId}`,
      `/drops/${data.queuedDropId}`,
      `/drops/${data.queuedDropId}/queue`,
      "/catalog",
      "/play",
      "/fairness",
      "/rounds",
      // A round opens to anyone once its seed is revealed; until then, to its player.
      `/rounds/${data.roundId}/verify`,
      "/wallet",
      "/notifications",
      "/redemptions",
      `/redemptions/${data.redemptionId}`,
      "/account",
      "/account/claims",
      "/account/identity",
      "/account/responsible-gaming",
      "/account/security",
    ]);
  } finally {
    await context.close();
  }
});

test("the admin pages, as an admin", async ({ browser }) => {
  test.setTimeout(900_000);
  const { context, page } = await signedIn(browser, ADMIN_EMAIL);
  try {
    await auditPages(page, "admin", [
      "/admin",
      "/admin/accounts",
      `/admin/accounts/${data.player.id}`,
      `/admin/accounts/${data.player.id}/wallet`,
      "/admin/analytics",
      "/admin/audit",
      "/admin/catalog",
      "/admin/catalog/approvals",
      "/admin/drops",
      `/admin/drops/${data.dropId}`,
      `/admin/drops/${data.dropId}/report`,
      `/admin/drops/${data.queuedDropId}`,
      "/admin/jobs",
      "/admin/prizes",
      `/admin/prizes/${data.prizeId}`,
      "/admin/redemptions",
      `/admin/redemptions/${data.redemptionId}`,
      "/admin/regions",
      "/admin/reports/regulator",
      "/admin/wallet",
      "/admin/wallet/packages",
      "/admin/webhooks",
      `/admin/webhooks/${data.webhookId}`,
    ]);
  } finally {
    await context.close();
  }
});
