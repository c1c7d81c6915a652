import { type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
import { formatInstant, utcToZonedInput } from "../lib/format";
import { ADMIN_EMAIL, apiToken, createPlayer, shot, signIn, UUID } from "./helpers";

/** The drop's window: it starts in New York's winter and ends in its summer. */
const STARTS = "2026-01-15T13:30:00.000Z";
const ENDS = "2030-07-04T16:05:00.000Z";
const VALUE = 1234.56;

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

type Viewer = {
  locale: string;
  timezoneId: string;
  /** The drop's start and end as the viewer reads them (ICU words the space before PM either way). */
  starts: RegExp;
  ends: RegExp;
  money: string;
  /** The end as the admin's datetime-local input shows it. */
  endInput: string;
  /** The end the admin types (a summer date, typed in December) and the instant it means. */
  newEndInput: string;
  newEnd: string;
  /** When the live dashboard was updated: today, so in either of New York's offsets. */
  updated: RegExp;
};

const VIEWERS: Viewer[] = [
  {
    locale: "de-DE",
    timezoneId: "America/New_York",
    starts: /^15\.01\.2026, 08:30:00 GMT-5$/,
    ends: /^04\.07\.2030, 12:05:00 GMT-4$/,
    money: "1.234,56\u00a0$",
    endInput: "2030-07-04T12:05",
    newEndInput: "2030-08-01T18:00",
    newEnd: "2030-08-01T22:00:00.000Z",
    updated: /^updated \d{2}:\d{2}:\d{2} GMT-[45]$/,
  },
  {
    locale: "en-US",
    timezoneId: "Asia/Tokyo",
    starts: /^Jan 15, 2026, 10:30:00\sPM GMT\+9$/,
    ends: /^Jul 5, 2030, 1:05:00\sAM GMT\+9$/,
    money: "$1,234.56",
    endInput: "2030-07-05T01:05",
    newEndInput: "2030-08-01T18:00",
    newEnd: "2030-08-01T09:00:00.000Z",
    updated: /^updated \d{1,2}:\d{2}:\d{2}\s[AP]M GMT\+9$/,
  },
];

/** A prize worth VALUE and a live drop of it over STARTS..ENDS, through the admin API. */
async function createDrop(adminPage: Page, name: string): Promise<string> {
  const headers = { authorization: `Bearer ${await apiToken(adminPage.request, ADMIN_EMAIL)}` };
  const prize = await adminPage.request.post("/api/v1/admin/prizes", {
    headers,
    data: { name: `${name} prize`, kind: "physical", value: VALUE, quantity: 3 },
  });
  expect(prize.status(), await prize.text()).toBe(201);
  const prizeId = ((await prize.json()) as { id: string }).id;
  const drop = await adminPage.request.post("/api/v1/admin/drops", {
    headers,
    data: { title: `${name} drop`, prizeId, units: 3, startsAt: STARTS, endsAt: ENDS },
  });
  expect(drop.status(), await drop.text()).toBe(201);
  return ((await drop.json()) as { id: string }).id;
}

/** A context in the viewer's locale and zone that records React's hydration errors. */
async function viewerContext(browser: Browser, viewer: Viewer) {
  const context = await browser.newContext({
    locale: viewer.locale,
    timezoneId: viewer.timezoneId,
    viewport: DESKTOP,
  });
  const errors: string[] = [];
  context.on("console", (message) => {
    // A production build reports a hydration mismatch as minified React error #418 or #425.
    if (message.type() === "error" && /hydrat|#418|#425/i.test(message.text())) {
      errors.push(message.text());
    }
  });
  return { context, errors };
}

/** Full-page screenshots at desktop and phone size. */
async function shotBoth(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await shot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await shot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

/** The <time> in the definition after the term `term`. */
const factTime = (page: Page, term: string) =>
  page.locator("dt", { hasText: new RegExp(`^${term}$`) }).locator("+ dd time");

/** The instant as the viewer's browser words it, spaces made plain for comparing. */
const plain = (text: string) => text.replace(/\s/g, " ");

async function tzCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((c) => c.name === "tz")?.value;
}

test.describe("dates and money in the viewer's locale and time zone", () => {
  for (const viewer of VIEWERS) {
    test(`${viewer.locale} in ${viewer.timezoneId}: a drop, a redemption and an admin page`, async ({
      browser,
    }) => {
      const name = `E2E Locale ${viewer.locale} ${Date.now().toString(36)}`;
      const slug = `locale-${viewer.locale}`;
      const admin = await viewerContext(browser, viewer);
      const player = await viewerContext(browser, viewer);
      try {
        const adminPage = await admin.context.newPage();
        await signIn(adminPage, ADMIN_EMAIL);
        const dropId = await createDrop(adminPage, name);

        const page = await player.context.newPage();
        const account = await createPlayer(player.context.request, "locale");
        await signIn(page, account.email, account.password);

        await test.step("the drop page shows its window in the viewer's zone, its prize's worth in the locale", async () => {
          await page.goto(`/drops/${dropId}`);
          await expect(page.getByRole("heading", { level: 1, name: `${name} drop` })).toBeVisible();
          await expect(factTime(page, "Starts")).toHaveText(viewer.starts);
          await expect(factTime(page, "Starts")).toHaveAttribute("datetime", STARTS);
          await expect(factTime(page, "Starts")).toHaveAttribute(
            "title",
            "15 Jan 2026, 13:30:00 UTC",
          );
          await expect(factTime(page, "Ends")).toHaveText(viewer.ends);
          await expect(page.locator(".lead").first()).toContainText(`worth ${viewer.money}`);
          await shotBoth(page, `${slug}-01-drop`);
        });

        await test.step("the browser left its zone for the server, which renders in it from then on", async () => {
          await expect.poll(() => tzCookie(player.context)).toBe(viewer.timezoneId);
          const res = await player.context.request.get(`/drops/${dropId}`, {
            headers: { "accept-language": `${viewer.locale},en;q=0.5` },
          });
          const html = plain(await res.text());
          const starts = plain(
            formatInstant(STARTS, { locale: viewer.locale, timeZone: viewer.timezoneId }),
          );
          expect(html).toContain(starts);
          await page.reload();
          await expect(factTime(page, "Starts")).toHaveText(viewer.starts);
        });

        let redemptionId = "";
        let claimedAt = "";
        await test.step("the redemption page shows the claim's time and the prize's worth", async () => {
          await page.getByRole("button", { name: "Claim one unit" }).click();
          await expect(page.getByTestId("claim-success")).toBeVisible();
          redemptionId = /\/redemptions\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? "";
          expect(redemptionId).toMatch(UUID);
          const res = await page.request.get(`/api/v1/redemptions/${redemptionId}`);
          expect(res.status()).toBe(200);
          claimedAt = ((await res.json()) as { claimedAt: string }).claimedAt;
          const claimed = page
            .locator(`time[datetime="${new Date(claimedAt).toISOString()}"]`)
            .first();
          const expected = formatInstant(claimedAt, {
            locale: viewer.locale,
            timeZone: viewer.timezoneId,
          });
          expect(plain((await claimed.textContent()) ?? "")).toBe(plain(expected));
          await expect(page.locator(".lead").first()).toContainText(viewer.money);
          await shotBoth(page, `${slug}-02-redemption`);
        });

        await test.step("the redemption search reads its times in the admin's zone, and says which", async () => {
          await expect.poll(() => tzCookie(admin.context)).toBe(viewer.timezoneId);
          const wallClock = (ms: number) => utcToZonedInput(new Date(ms), viewer.timezoneId);
          const search = (ms: number) =>
            `/admin/redemptions?player=${encodeURIComponent(account.email)}&from=${wallClock(ms)}`;
          await adminPage.goto(search(Date.parse(claimedAt) - 60_000));
          await expect(adminPage.getByLabel(`From (${viewer.timezoneId})`)).toHaveValue(
            wallClock(Date.parse(claimedAt) - 60_000),
          );
          await expect(adminPage.getByTestId("redemption-row")).toHaveCount(1);
          await shotBoth(adminPage, `${slug}-05-admin-search`);
          await adminPage.goto(search(Date.parse(claimedAt) + 60_000));
          await expect(adminPage.getByTestId("redemption-row")).toHaveCount(0);
        });

        await test.step("the admin's drop page shows the window, and the end input, in the admin's zone", async () => {
          await adminPage.goto(`/admin/drops/${dropId}`);
          const lead = adminPage.locator(".lead").first();
          await expect(lead.locator("time").first()).toHaveText(viewer.starts);
          await expect(lead.locator("time").nth(1)).toHaveText(viewer.ends);
          const newEnd = adminPage.getByLabel("New end (your local time)");
          await expect(newEnd).toHaveValue(viewer.endInput);
          await shotBoth(adminPage, `${slug}-03-admin-drop`);
        });

        await test.step("an end the admin types is read in the admin's zone, with that date's offset", async () => {
          const newEnd = adminPage.getByLabel("New end (your local time)");
          await newEnd.fill(viewer.newEndInput);
          await adminPage.getByRole("button", { name: "Move the end" }).click();
          await expect(
            adminPage.getByTestId("drop-move-end").locator(".alert.success"),
          ).toBeVisible();
          const token = await apiToken(adminPage.request, ADMIN_EMAIL);
          const res = await adminPage.request.get(`/api/v1/admin/drops/${dropId}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          expect(res.status()).toBe(200);
          const { endsAt } = (await res.json()) as { endsAt: string };
          expect(new Date(endsAt).toISOString()).toBe(viewer.newEnd);
          await adminPage.reload();
          await expect(adminPage.getByLabel("New end (your local time)")).toHaveValue(
            viewer.newEndInput,
          );
          await shotBoth(adminPage, `${slug}-04-admin-end-moved`);
        });

        await test.step("the live dashboard says when it was updated in the admin's zone", async () => {
          await adminPage.goto("/admin/analytics");
          await expect(adminPage.getByTestId("snapshot-at")).toHaveText(viewer.updated);
          await shotBoth(adminPage, `${slug}-06-analytics`);
        });

        expect(admin.errors, "hydration errors on the admin's pages").toEqual([]);
        expect(player.errors, "hydration errors on the player's pages").toEqual([]);
      } finally {
        await admin.context.close();
        await player.context.close();
      }
    });
  }

  test("without JavaScript a page shows UTC, saying so; a malformed header or cookie changes nothing", async ({
    browser,
  }) => {
    const name = `E2E Locale nojs ${Date.now().toString(36)}`;
    const admin = await browser.newContext({ viewport: DESKTOP });
    const context = await browser.newContext({
      javaScriptEnabled: false,
      locale: "de-DE",
      timezoneId: "America/New_York",
      viewport: DESKTOP,
    });
    try {
      const adminPage = await admin.newPage();
      await signIn(adminPage, ADMIN_EMAIL);
      const dropId = await createDrop(adminPage, name);
      const page = await context.newPage();
      await page.goto(`/drops/${dropId}`);
      await expect(factTime(page, "Starts")).toHaveText("15.01.2026, 13:30:00 UTC");
      await expect(factTime(page, "Ends")).toHaveText("04.07.2030, 16:05:00 UTC");
      await expect(page.locator(".lead").first()).toContainText("worth 1.234,56\u00a0$");
      expect(await tzCookie(context)).toBeUndefined();
      await shotBoth(page, "locale-nojs-drop");

      const res = await context.request.get(`/drops/${dropId}`, {
        headers: {
          "accept-language": "de-DE;q=abc,;;,<script>,zz-ZZ;q=2,*",
          cookie: "tz=Mars/Olympus_Mons",
        },
      });
      expect(res.status()).toBe(200);
      const html = await res.text();
      expect(html).toContain(">15 Jan 2026, 13:30:00 UTC</time>");
      expect(html).toContain("$1,234.56");
    } finally {
      await admin.close();
      await context.close();
    }
  });
});
