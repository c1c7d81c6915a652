/**
 * A player claims from the live gift-card drop, whose card the local gift-card provider issues
 * (the demo data), and watches the delivery on the redemption page without reloading it: the
 * provider is down (every answer 503) when the claim is made, so the delivery is first seen
 * failing and retrying; once the provider is back it turns delivered, with the card. And an
 * admin makes such a gift card in the prize form.
 */
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { E2E_GIFTCARD_ADMIN_TOKEN, GIFTCARD_URL } from "./constants";
import {
  ADMIN_EMAIL,
  createPlayer,
  findOpenDrop,
  LAUNCH_DROP,
  LAUNCH_PRIZE,
  openHeaderMenu,
  shot,
  signIn,
  UUID,
} from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

/** Turns the provider's 5xx knob: 1 answers every request 503 and does nothing, 0 none. */
async function setProviderDown(request: APIRequestContext, down: boolean): Promise<void> {
  const res = await request.patch(`${GIFTCARD_URL}/admin/faults`, {
    headers: { authorization: `Bearer ${E2E_GIFTCARD_ADMIN_TOKEN}` },
    data: { share5xx: down ? 1 : 0 },
  });
  expect(res.status(), await res.text()).toBe(200);
}

async function expectNoSidewaysScroll(page: Page, viewportWidth: number): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(viewportWidth);
}

for (const size of SIZES) {
  test(`a provider gift card is seen going to delivered live (${size.name})`, async ({
    page,
    request,
    browser,
  }) => {
    await page.setViewportSize(size.viewport);
    const adminContext = await browser.newContext({ viewport: size.viewport });
    const adminPage = await adminContext.newPage();
    let redemptionId = "";
    const drop = await findOpenDrop(request, LAUNCH_DROP);
    if (!drop) throw new Error(`${LAUNCH_DROP} is not open`);
    const player = await createPlayer(request, `delivery-${size.name}`);
    await signIn(page, player.email, player.password);

    await setProviderDown(request, true);
    try {
      await test.step("claimed while the provider is down: failed, retrying", async () => {
        await page.goto(`/drops/${drop.id}`);
        await page.getByRole("button", { name: "Claim one unit" }).click();
        await expect(page).toHaveURL(new RegExp(`/redemptions/${UUID.source}\\?claimed=1$`));
        const delivery = page.getByTestId("delivery");
        await expect(delivery).toHaveAttribute("data-status", "failed");
        await expect(page.getByTestId("delivery-status")).toHaveText("Failed, retrying");
        await expect(page.getByTestId("delivery-note")).toContainText("we try again shortly");
        await expect(page.getByTestId("delivery-step-pending")).toHaveAttribute(
          "data-state",
          "failed",
        );
        await expect(delivery).toContainText("Gift-card provider");
        await expect(page.getByRole("heading", { name: "Your claim code" })).toBeVisible();
        await expect(page.getByTestId("delivery-card")).toHaveCount(0);
        await shot(page, `delivery-${size.name}-1-retrying`);
      });
      // Whatever comes next must come through the stream: this page is never loaded again.
      await page.evaluate(() => {
        (window as unknown as { stayed: boolean }).stayed = true;
      });
      redemptionId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
      await test.step("an admin opens the same redemption: failed", async () => {
        await signIn(adminPage, ADMIN_EMAIL);
        await adminPage.goto(`/admin/redemptions/${redemptionId}`);
        const card = adminPage.getByRole("region", { name: "Delivery" });
        await expect(card.getByTestId("delivery-status")).toHaveText(/failed|dead/);
        await adminPage.evaluate(() => {
          (window as unknown as { stayed: boolean }).stayed = true;
        });
      });
    } finally {
      await setProviderDown(request, false);
    }

    await test.step("the provider is back: delivered, with the card, without a reload", async () => {
      await expect(page.getByTestId("delivery")).toHaveAttribute("data-status", "delivered", {
        timeout: 60_000,
      });
      await expect(page.getByTestId("delivery-status")).toHaveText("Delivered");
      for (const step of ["pending", "submitted", "delivered"]) {
        await expect(page.getByTestId(`delivery-step-${step}`)).toHaveAttribute(
          "data-state",
          "done",
        );
      }
      await expect(page.getByTestId("delivery-reference")).not.toBeEmpty();
      await expect(page.getByTestId("delivery-card-code")).toHaveText(/\S{6,}/);
      await expect(page.getByRole("button", { name: "Copy the gift card code" })).toBeVisible();
      await expect(page.getByTestId("delivery-card-link")).toHaveAttribute(
        "href",
        new RegExp(`^${GIFTCARD_URL}/rewards/`),
      );
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
        true,
      );
      await expectNoSidewaysScroll(page, size.viewport.width);
      await shot(page, `delivery-${size.name}-2-delivered`);
    });

    await test.step("the admin's page follows it to delivered, without a reload", async () => {
      const card = adminPage.getByRole("region", { name: "Delivery" });
      await expect(card.getByTestId("delivery-status")).toHaveText("delivered");
      await expect(card.getByTestId("delivery-reference")).not.toHaveText("—");
      expect(
        await adminPage.evaluate(() => (window as unknown as { stayed?: boolean }).stayed),
      ).toBe(true);
      await shot(adminPage, `delivery-${size.name}-2b-admin-live`);
      await adminContext.close();
    });

    await test.step("My redemptions says it was delivered", async () => {
      await openHeaderMenu(page);
      await page.getByRole("link", { name: "My redemptions" }).click();
      const row = page.getByTestId("redemption-row").filter({ hasText: LAUNCH_PRIZE });
      await expect(row.getByTestId("delivery-badge")).toHaveText("Delivered");
      await expectNoSidewaysScroll(page, size.viewport.width);
      await shot(page, `delivery-${size.name}-3-list`);
    });
  });
}

for (const size of SIZES) {
  test(`an admin makes a gift card the provider delivers (${size.name})`, async ({ page }) => {
    await page.setViewportSize(size.viewport);
    const name = `E2E Provider Card ${size.name} ${Date.now().toString(36)}`;
    await signIn(page, ADMIN_EMAIL);
    await page.goto("/admin/prizes");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Kind").selectOption("gift_card");
    await page.getByLabel("Value (USD)").fill("2");
    await page.getByLabel("Quantity").fill("5");
    await expect(page.getByLabel("Delivered by")).toHaveValue("pool");
    await page.getByLabel("Delivered by").selectOption("giftcard");
    await page.getByLabel("Provider's product").selectOption("target-us");
    await page.getByRole("button", { name: "Create prize" }).click();
    // Target takes $5 to $1,000: the prize is refused with the reason beside the product.
    await expect(page.getByText("Target cards are worth $5.00 to $1000.00")).toBeVisible();
    await shot(page, `delivery-${size.name}-4-admin-refused`);
    await page.getByLabel("Value (USD)").fill("25");
    await page.getByRole("button", { name: "Create prize" }).click();
    await expect(page.locator(".alert.success")).toHaveText(`Prize “${name}” created`);

    const res = await page.request.get("/api/v1/admin/prizes");
    const prizes = ((await res.json()) as { prizes: Array<{ id: string; name: string }> }).prizes;
    const id = prizes.find((p) => p.name === name)?.id;
    expect(id).toMatch(UUID);
    await page.goto(`/admin/prizes/${id}`);
    await expect(page.getByTestId("prize-delivery-summary")).toHaveText(
      " · ordered from the gift-card provider: Target",
    );
    await expect(page.getByRole("heading", { name: "Import gift codes" })).toHaveCount(0);
    await expect(page.getByTestId("code-pool-total")).toHaveCount(0);
    await expect(page.getByLabel("Provider's product")).toHaveValue("target-us");
    await expectNoSidewaysScroll(page, size.viewport.width);
    await shot(page, `delivery-${size.name}-5-admin-prize`);
  });
}
