import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { ADMIN_EMAIL, apiToken, createPlayer, serverTime, shot, signIn } from "./helpers";

// Two sizes: a desktop browser and a phone.
const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

/** The admin API, as the demo admin (two-factor on). */
async function adminApi(request: APIRequestContext) {
  const headers = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
  const send = async (method: "post" | "patch", path: string, data: unknown, status: number) => {
    const res = await request[method](path, { headers, data });
    expect(res.status(), await res.text()).toBe(status);
    return res.json();
  };
  return {
    /** A gift card with `codes` codes in its pool; returns its id. */
    async giftCard(name: string, codes: number): Promise<string> {
      const { id } = await send(
        "post",
        "/api/v1/admin/prizes",
        {
          name,
          kind: "gift_card",
          value: 5,
          quantity: 10,
        },
        201,
      );
      const csv = Array.from({ length: codes }, (_, i) => `${name.replace(/\W+/g, "-")}-${i}`);
      await send(
        "post",
        `/api/v1/admin/prizes/${id}/codes`,
        { csv: ["code", ...csv].join("\n") },
        201,
      );
      return id;
    },
    /** A drop of the prize; returns its id. */
    async drop(title: string, prizeId: string, units: number, startsAt: number): Promise<string> {
      const { id } = await send(
        "post",
        "/api/v1/admin/drops",
        {
          title,
          prizeId,
          units,
          startsAt: new Date(startsAt).toISOString(),
          endsAt: new Date(startsAt + 3_600_000).toISOString(),
        },
        201,
      );
      return id;
    },
    change: (dropId: string, data: unknown) =>
      send("patch", `/api/v1/admin/drops/${dropId}`, data, 200),
    refusal: (path: string, data: unknown) => send("post", path, data, 400),
  };
}

async function expectNoSidewaysScroll(page: Page, viewportWidth: number): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(viewportWidth);
}

for (const size of SIZES) {
  test(`the drop page follows its drop live, and knows what the player claimed (${size.name})`, async ({
    page,
    browser,
    request,
  }) => {
    const tag = `${size.name} ${Date.now().toString(36)}`;
    const admin = await adminApi(request);
    const card = await admin.giftCard(`E2E Live Card ${tag}`, 1);
    const now = await serverTime(request);
    const dropId = await admin.drop(`E2E Live Drop ${tag}`, card, 1, now + 3_600_000);

    const player = await createPlayer(request, "droppage");
    await page.setViewportSize(size.viewport);
    await signIn(page, player.email, player.password);
    // A visitor watches the same drop from start to end without ever reloading.
    const visitor = await (await browser.newContext({ viewport: size.viewport })).newPage();
    const claim = page.getByRole("button", { name: /Claim|Opens|Paused|Sold out|Drop ended/ });

    await test.step("before the start: upcoming, and the button says why it waits", async () => {
      await page.goto(`/drops/${dropId}`);
      await visitor.goto(`/drops/${dropId}`);
      await expect(page.getByTestId("drop-status")).toHaveText("upcoming");
      await expect(claim).toHaveText("Opens at the start");
      await expect(claim).toBeDisabled();
      await expect(page.getByTestId("drop-note")).toContainText("Claims open at the start time");
      await expectNoSidewaysScroll(page, size.viewport.width);
      await shot(page, `drop-page-${size.name}-1-upcoming`);
    });

    await test.step("the start comes by the server's clock: live without a reload", async () => {
      // Moved to a few seconds ahead: the page gets the new start pushed and flips when it passes.
      await admin.change(dropId, { startsAt: new Date((await serverTime(request)) + 3_000) });
      await expect(page.getByTestId("drop-status")).toHaveText("live");
      await expect(claim).toHaveText("Claim one unit");
      await expect(claim).toBeEnabled();
      await expect(visitor.getByTestId("drop-status")).toHaveText("live");
      await shot(page, `drop-page-${size.name}-2-live`);
    });

    await test.step("paused by the admin: the button stops and says so; resumed, it comes back", async () => {
      await admin.change(dropId, { paused: true });
      await expect(page.getByTestId("drop-status")).toHaveText("paused");
      await expect(claim).toHaveText("Paused for now");
      await expect(claim).toBeDisabled();
      await expect(page.getByTestId("drop-note")).toContainText("The organisers paused this drop");
      await shot(page, `drop-page-${size.name}-3-paused`);
      await admin.change(dropId, { paused: false });
      await expect(page.getByTestId("drop-status")).toHaveText("live");
      await expect(claim).toBeEnabled();
    });

    await test.step("the claim: the visitor sees it sold out; the player's page says they claimed it", async () => {
      await claim.click();
      await expect(page.getByTestId("claim-success")).toBeVisible();
      const redemption = page.url();
      await expect(visitor.getByTestId("drop-status")).toHaveText("sold out");
      await expect(visitor.getByTestId("remaining")).toHaveText("0");
      // Nothing left to sign in for.
      await expect(visitor.getByRole("link", { name: "Sign in to claim" })).toHaveCount(0);
      await shot(visitor, `drop-page-${size.name}-4-sold-out-visitor`);
      await page.goto(`/drops/${dropId}`);
      const held = page.getByTestId("claimed-already");
      await expect(held).toContainText("You claimed this.");
      await expect(page.getByRole("button", { name: /Claim/ })).toHaveCount(0);
      await shot(page, `drop-page-${size.name}-5-claimed`);
      await held.getByRole("link", { name: "See your prize and its receipt" }).click();
      await expect(page).toHaveURL(redemption.replace(/\?.*$/, ""));
    });

    await test.step("ended early: every open page says so", async () => {
      await admin.change(dropId, { end: true });
      await expect(visitor.getByTestId("drop-status")).toHaveText("ended");
      await expect(visitor.getByTestId("ended-early")).toBeVisible();
      // The facts show the window as it went: the start moved, the end brought forward.
      await expect(visitor.getByTestId("countdown")).toHaveText("Ended");
      await expect(visitor.getByTestId("drop-note")).toHaveText("This drop has ended.");
      await shot(visitor, `drop-page-${size.name}-6-ended-visitor`);
    });
  });
}

/** A live drop of two gift cards, and a fresh player signed in on `page`. */
async function liveDropAndPlayer(request: APIRequestContext, page: Page, name: string) {
  const tag = Date.now().toString(36);
  const admin = await adminApi(request);
  const card = await admin.giftCard(`E2E ${name} Card ${tag}`, 2);
  const start = (await serverTime(request)) - 60_000;
  const dropId = await admin.drop(`E2E ${name} Drop ${tag}`, card, 2, start);
  const player = await createPlayer(request, "droptabs");
  await signIn(page, player.email, player.password);
  return { dropId, player };
}

test("a claim from a stale page answers with a link to the unit already claimed", async ({
  page,
  browser,
  request,
}) => {
  const { dropId, player } = await liveDropAndPlayer(request, page, "Tabs");
  // The player's phone, open on the drop since before the claim.
  const stale = await (
    await browser.newContext({ viewport: { width: 390, height: 844 } })
  ).newPage();
  await signIn(stale, player.email, player.password);
  await page.goto(`/drops/${dropId}`);
  await stale.goto(`/drops/${dropId}`);
  await page.getByRole("button", { name: "Claim one unit" }).click();
  await expect(page.getByTestId("claim-success")).toBeVisible();
  const redemption = page.url().replace(/\?.*$/, "");

  // The phone still offers the claim; the answer is "already claimed", with the unit.
  await stale.getByRole("button", { name: "Claim one unit" }).click();
  const held = stale.getByTestId("claimed-already");
  await expect(held).toContainText("You claimed this.");
  await expect(stale.getByTestId("claim-error")).toHaveCount(0);
  await shot(stale, "drop-page-phone-7-stale-tab-claimed");
  await held.getByRole("link", { name: "See your prize and its receipt" }).click();
  await expect(stale).toHaveURL(redemption);
});

/** Plays the tab being hidden or shown, as switching tabs does (Playwright's pages stay visible). */
async function setVisibility(page: Page, state: "hidden" | "visible"): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => value });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);
}

test("two tabs on a drop: the hidden one lets its stream go, so a claim still gets through", async ({
  page,
  context,
  request,
}) => {
  const { dropId } = await liveDropAndPlayer(request, page, "Two Tabs");
  await page.goto(`/drops/${dropId}`);
  await expect(page.getByTestId("drop-status")).toHaveText("live");
  // Over HTTP/1.1 a browser holds six connections to a site; each tab holds the bell's and the
  // balances' streams, so two tabs holding a drop's stream too would leave none for the claim.
  await setVisibility(page, "hidden");
  const front = await context.newPage();
  await front.goto(`/drops/${dropId}`);
  await front.getByRole("button", { name: "Claim one unit" }).click();
  await expect(front.getByTestId("claim-success")).toBeVisible();
  // Shown again, the first tab opens its stream and catches up with the claim.
  await setVisibility(page, "visible");
  await expect(page.getByTestId("remaining")).toHaveText("1");
});

for (const size of SIZES) {
  test(`a gift-card drop cannot promise more units than codes (${size.name})`, async ({
    page,
    request,
  }) => {
    const tag = `${size.name} ${Date.now().toString(36)}`;
    const admin = await adminApi(request);
    const name = `E2E Short Card ${tag}`;
    const card = await admin.giftCard(name, 4);
    const start = await serverTime(request);

    const refused = await admin.refusal("/api/v1/admin/drops", {
      title: `E2E Short Drop ${tag}`,
      prizeId: card,
      units: 5,
      startsAt: new Date(start - 60_000).toISOString(),
      endsAt: new Date(start + 3_600_000).toISOString(),
    });
    expect(refused).toMatchObject({
      error: {
        code: "invalid_input",
        field: "units",
        message: `Only 4 codes of “${name}” can go to this drop (4 unused in its pool): import more codes or lower the units`,
      },
    });

    await page.setViewportSize(size.viewport);
    await signIn(page, ADMIN_EMAIL);
    await page.goto("/admin/drops");
    const startsAt = page.getByLabel("Starts (your local time)");
    // The form fills its default window after hydration (and remounts): wait for it.
    await expect(startsAt).not.toHaveValue("");
    await page.getByLabel("Title").fill(`E2E Short Drop ${tag}`);
    const pool = page.getByTestId("pool-row").first();
    await pool.getByLabel("Prize").selectOption(card);
    await pool.getByLabel("Units").fill("5");
    await page.getByRole("button", { name: "Create drop" }).click();
    await expect(pool.getByText(`Only 4 codes of “${name}” can go to this drop`)).toBeVisible();
    await expect(page.getByLabel("Title")).toHaveValue(`E2E Short Drop ${tag}`);
    await shot(page, `drop-page-${size.name}-8-units-beyond-codes`);

    const dropId = await admin.drop(`E2E Short Drop ${tag}`, card, 4, start - 60_000);
    await page.goto(`/drops/${dropId}`);
    await expect(page.getByTestId("remaining")).toHaveText("4");
    await expect(page.getByTestId("drop-status")).toHaveText("live");
    await expectNoSidewaysScroll(page, size.viewport.width);
  });
}
