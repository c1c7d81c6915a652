import { type APIRequestContext, expect, test } from "@playwright/test";
import {
  ADMIN_EMAIL,
  ALICE_EMAIL,
  apiToken,
  browserLocalInput,
  createPlayer,
  shot,
  signIn,
  UUID,
} from "./helpers";

const ADMIN_PAGES = ["/admin", "/admin/prizes", "/admin/drops"];
const ADMIN_APIS = ["/api/v1/admin/prizes", "/api/v1/admin/drops"];

async function prizeCount(request: APIRequestContext): Promise<number> {
  const res = await request.get("/api/v1/admin/prizes");
  expect(res.status()).toBe(200);
  return ((await res.json()) as { prizes: unknown[] }).prizes.length;
}

test.describe("admin", () => {
  test("creates a prize and a live drop, and watches a claim lower the remaining count", async ({
    page,
    browser,
  }) => {
    const suffix = Date.now().toString(36);
    const prizeName = `E2E Hoodie ${suffix}`;
    const dropTitle = `E2E Hoodie Drop ${suffix}`;

    await signIn(page, ADMIN_EMAIL);
    await expect(page.getByTestId("signed-in-as")).toHaveText("Ada Admin · admin");

    await test.step("a bad prize shows field errors and creates nothing", async () => {
      const before = await prizeCount(page.request);
      await page.goto("/admin/prizes");
      await expect(page.getByRole("heading", { name: "New prize" })).toBeVisible();
      await page.getByLabel("Name").fill("");
      await page.getByLabel("Value (USD)").fill("-5");
      await page.getByLabel("Quantity").fill("3");
      await page.getByRole("button", { name: "Create prize" }).click();
      await expect(page.getByText("Name is required")).toBeVisible();
      await expect(page.getByText("Value cannot be negative")).toBeVisible();
      await expect(page.locator(".alert.success")).toHaveCount(0);
      await shot(page, "admin-01-prize-field-errors");
      expect(await prizeCount(page.request)).toBe(before);
    });

    await test.step("a good prize is created", async () => {
      await page.getByLabel("Name").fill(prizeName);
      await page.getByLabel("Kind").selectOption("physical");
      await page.getByLabel("Value (USD)").fill("59.90");
      await page.getByLabel("Quantity").fill("20");
      await page.getByRole("button", { name: "Create prize" }).click();
      // The create leads to the new prize's own page, which says it was created.
      await expect(page).toHaveURL(new RegExp(`/admin/prizes/${UUID.source}\\?created=1$`));
      await expect(page.locator(".alert.success")).toHaveText(`Prize “${prizeName}” created`);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(prizeName);
      await expect(page.locator(".field-error")).toHaveCount(0);
      await shot(page, "admin-02-prize-created");
    });

    let dropId = "";
    await test.step("a drop of that prize, open from a minute ago for an hour", async () => {
      await page.goto("/admin/drops");
      await expect(page.getByRole("heading", { name: "New drop" })).toBeVisible();
      const startsAt = page.getByLabel("Starts (your local time)");
      // The form fills its default window after hydration (and remounts): wait for it.
      await expect(startsAt).not.toHaveValue("");
      const option = page.locator('select[name="poolPrizeId"] option', { hasText: prizeName });
      await expect(option).toHaveText(`${prizeName} (20 unallocated)`);
      const prizeId = await option.getAttribute("value");
      expect(prizeId).toMatch(UUID);

      await page.getByLabel("Title").fill(dropTitle);
      await page.getByLabel("Prize").selectOption(prizeId ?? "");
      await page.getByLabel("Units", { exact: true }).fill("5");
      const now = Date.now();
      await startsAt.fill(await browserLocalInput(page, now - 60_000));
      await page
        .getByLabel("Ends (your local time)")
        .fill(await browserLocalInput(page, now + 3_600_000));
      await page.getByRole("button", { name: "Create drop" }).click();
      const created = new RegExp(`/admin/drops/(${UUID.source})\\?created=1$`);
      await expect(page).toHaveURL(created);
      await expect(page.locator(".alert.success")).toHaveText(`Drop “${dropTitle}” created`);
      await expect(page.getByTestId("admin-drop-status")).toHaveText("live");
      await expect(page.getByTestId("admin-drop-remaining")).toHaveText("5");
      await shot(page, "admin-03-drop-created");
      dropId = created.exec(page.url())?.[1] ?? "";
      expect(dropId).toMatch(UUID);
    });

    const dropRow = page.locator(`[data-testid="admin-drop-row"][data-drop-id="${dropId}"]`);
    await test.step("the admin overview lists both with the remaining count", async () => {
      await page.goto("/admin");
      await expect(dropRow).toContainText(dropTitle);
      await expect(dropRow).toContainText(prizeName);
      await expect(dropRow).toContainText("live");
      await expect(dropRow.getByTestId("admin-remaining")).toHaveText("5 / 5");
      const prizeRow = page.getByTestId("admin-prize-row").filter({ hasText: prizeName });
      await expect(prizeRow).toContainText("Physical item");
      await expect(prizeRow).toContainText("$59.90");
      await expect(prizeRow.locator("td").nth(3)).toHaveText("20");
      await expect(prizeRow.locator("td").nth(4)).toHaveText("5");
      await shot(page, "admin-04-overview");
    });

    await test.step("a player's claim shows up on the admin page without a reload", async () => {
      // A marker on the window survives only if the page is not reloaded.
      await page.evaluate(() => {
        (window as unknown as { e2eNoReload: boolean }).e2eNoReload = true;
      });
      const playerContext = await browser.newContext();
      try {
        const player = await createPlayer(playerContext.request, "admin-watch");
        const playerPage = await playerContext.newPage();
        await signIn(playerPage, player.email, player.password);
        await playerPage.goto(`/drops/${dropId}`);
        await expect(playerPage.getByRole("heading", { level: 1, name: dropTitle })).toBeVisible();
        await playerPage.getByRole("button", { name: "Claim one unit" }).click();
        await expect(playerPage.getByTestId("claim-success")).toBeVisible();
        await shot(playerPage, "admin-05-player-claimed");
      } finally {
        await playerContext.close();
      }
      // The table polls every 2 s.
      await expect(dropRow.getByTestId("admin-remaining")).toHaveText("4 / 5", { timeout: 10_000 });
      expect(
        await page.evaluate(() => (window as unknown as { e2eNoReload?: boolean }).e2eNoReload),
      ).toBe(true);
      await shot(page, "admin-06-remaining-updated");
    });
  });

  test("players get 403 on admin pages and APIs; anonymous visitors must sign in", async ({
    page,
    request,
  }) => {
    await test.step("anonymous: pages redirect to sign in, APIs answer 401", async () => {
      for (const path of ADMIN_PAGES) {
        await page.goto(path);
        const next = path.replaceAll("/", "(?:%2F|/)");
        await expect(page).toHaveURL(new RegExp(`/signin\\?next=${next}$`));
        await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
      }
      await shot(page, "admin-07-anonymous-redirected");
      for (const path of ADMIN_APIS) {
        for (const res of [await request.get(path), await request.post(path, { data: {} })]) {
          expect(res.status(), `${res.url()}`).toBe(401);
          expect(await res.json()).toMatchObject({ error: { code: "unauthenticated" } });
        }
      }
    });

    await signIn(page, ALICE_EMAIL);

    await test.step("a player gets the Not allowed page (403)", async () => {
      for (const path of ADMIN_PAGES) {
        const res = await page.goto(path);
        expect(res?.status(), path).toBe(403);
        await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
        await expect(page.getByTestId("forbidden")).toBeVisible();
        await expect(page.getByRole("button", { name: /Create/ })).toHaveCount(0);
      }
      await shot(page, "admin-08-player-forbidden");
    });

    await test.step("a player's session and API token get 403 forbidden from admin APIs", async () => {
      const token = await apiToken(request, ALICE_EMAIL);
      const bearer = { authorization: `Bearer ${token}` };
      const prize = { name: "Sneaky", kind: "gift_card", value: 1, quantity: 1 };
      for (const path of ADMIN_APIS) {
        const responses = [
          await page.request.get(path),
          await page.request.post(path, { data: prize }),
          await request.get(path, { headers: bearer }),
          await request.post(path, { headers: bearer, data: prize }),
        ];
        for (const res of responses) {
          expect(res.status(), `${res.url()}`).toBe(403);
          expect(await res.json()).toMatchObject({ error: { code: "forbidden" } });
        }
      }
    });
  });
});
