import { expect, type Page, test } from "@playwright/test";
import { ADMIN_EMAIL, ALICE_EMAIL, apiToken, browserLocalInput, shot, signIn } from "./helpers";

/** Creates a prize through the admin API and returns its id. */
async function createPrize(page: Page, name: string, kind: string, quantity: number) {
  const token = await apiToken(page.request, ADMIN_EMAIL);
  const res = await page.request.post("/api/v1/admin/prizes", {
    headers: { authorization: `Bearer ${token}` },
    data: { name, kind, value: 10, quantity },
  });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Fills the admin's new-drop form for a drop open from a minute ago to an hour ahead. */
async function fillDropForm(page: Page, title: string, prizeLabel: RegExp, units: number) {
  await page.goto("/admin/drops");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Prize").selectOption({ label: await optionLabel(page, prizeLabel) });
  await page.getByLabel("Units", { exact: true }).fill(String(units));
  const now = Date.now();
  await page
    .getByLabel("Starts (your local time)")
    .fill(await browserLocalInput(page, now - 60_000));
  await page
    .getByLabel("Ends (your local time)")
    .fill(await browserLocalInput(page, now + 3_600_000));
}

async function optionLabel(page: Page, pattern: RegExp): Promise<string> {
  const labels = await page.getByLabel("Prize").locator("option").allTextContents();
  const label = labels.find((l) => pattern.test(l));
  if (!label) throw new Error(`no prize option matches ${pattern}`);
  return label;
}

async function dropIdByTitle(page: Page, title: string): Promise<string> {
  const res = await page.request.get("/api/v1/drops");
  const drops = ((await res.json()) as { drops: Array<{ id: string; title: string }> }).drops;
  const drop = drops.find((d) => d.title === title);
  if (!drop) throw new Error(`no drop ${title}`);
  return drop.id;
}

test.describe("claim engine in the browser", () => {
  test("codes imported by the admin are handed out; pause, regions and shipping work", async ({
    page,
    browser,
  }) => {
    const suffix = Date.now().toString(36);
    const giftName = `E2E Store Card ${suffix}`;
    const hoodieName = `E2E Cap ${suffix}`;
    const giftDrop = `E2E Card Drop ${suffix}`;
    const regionDrop = `E2E EU-only Drop ${suffix}`;
    const capDrop = `E2E Cap Drop ${suffix}`;
    // One code per unit of the two gift-card drops below (2 + 1): no drop takes more.
    const codes = [1, 2, 3].map((n) => `CARD-${suffix.toUpperCase()}-000${n}`);

    await signIn(page, ADMIN_EMAIL);
    const giftId = await createPrize(page, giftName, "gift_card", 5);
    await createPrize(page, hoodieName, "physical", 5);

    await test.step("the admin imports a code pool; bad lines are reported", async () => {
      await page.goto(`/admin/prizes/${giftId}`);
      await page
        .getByLabel("Or paste codes, one a line")
        .fill(["code", ...codes, codes[0], "bad code!", "x"].join("\n"));
      await page.getByRole("button", { name: "Import codes" }).click();
      await expect(page.getByTestId("accepted-count")).toHaveText("3");
      await expect(page.getByTestId("rejected-row")).toHaveCount(3);
      await shot(page, "claims-01-codes-imported");
    });

    await test.step("the admin creates a gift-card drop and a drop open only in DE and FR", async () => {
      await fillDropForm(page, giftDrop, new RegExp(giftName), 2);
      await page.getByRole("button", { name: "Create drop" }).click();
      await expect(page.locator(".alert.success")).toBeVisible();
      await fillDropForm(page, regionDrop, new RegExp(giftName), 1);
      await page.getByLabel(/Allowed regions/).fill("de, fr");
      await page.getByLabel("Verified email required").check();
      await shot(page, "claims-02-drop-form-rules");
      await page.getByRole("button", { name: "Create drop" }).click();
      await expect(page.locator(".alert.success")).toBeVisible();
      await fillDropForm(page, capDrop, new RegExp(hoodieName), 1);
      await page.getByRole("button", { name: "Create drop" }).click();
      await expect(page.locator(".alert.success")).toBeVisible();
    });

    const player = await (await browser.newContext()).newPage();
    await signIn(player, ALICE_EMAIL);

    await test.step("a paused drop offers no claim and says why; resumed, it hands out a pool code", async () => {
      const dropId = await dropIdByTitle(page, giftDrop);
      await page.goto("/admin");
      const row = page.locator(`[data-drop-id="${dropId}"]`);
      await row.getByRole("button", { name: "Pause" }).click();
      await expect(row.getByRole("button", { name: "Resume" })).toBeVisible();

      await player.goto(`/drops/${dropId}`);
      await expect(player.getByRole("button", { name: "Paused for now" })).toBeDisabled();
      await shot(player, "claims-03-paused");

      await row.getByRole("button", { name: "Resume" }).click();
      await expect(row.getByRole("button", { name: "Pause" })).toBeVisible();
      await player.getByRole("button", { name: "Claim one unit" }).click();
      await expect(player.getByTestId("claim-success")).toBeVisible();
      const code = await player.getByTestId("redemption-code").textContent();
      expect(codes).toContain(code);
    });

    await test.step("a drop closed to the player's region says so", async () => {
      await player.goto(`/drops/${await dropIdByTitle(page, regionDrop)}`);
      await expect(player.getByTestId("eligibility")).toContainText("players in DE, FR");
      await player.getByRole("button", { name: "Claim one unit" }).click();
      await expect(player.getByTestId("claim-error")).toHaveText(
        "You are not eligible for this drop: this drop is not open in your region",
      );
      await expect(player.getByTestId("claim-error")).toHaveAttribute(
        "data-code",
        "not_eligible:region",
      );
      await shot(player, "claims-04-not-eligible");
    });

    await test.step("a physical prize asks for a shipping address", async () => {
      await player.goto(`/drops/${await dropIdByTitle(page, capDrop)}`);
      await player.getByRole("button", { name: "Claim one unit" }).click();
      await expect(player.getByTestId("shipping-form")).toBeVisible();
      await player.getByRole("button", { name: "Confirm shipping address" }).click();
      await expect(player.getByText("Name is required")).toBeVisible();
      await player.getByLabel("Full name").fill("Alice Example");
      await player.locator('input[name="line1"]').fill("1 Main Street");
      await player.getByLabel("City").fill("Springfield");
      await player.getByLabel("Postal code").fill("12345");
      await player.getByLabel(/Country/).fill("us");
      await shot(player, "claims-05-shipping-form");
      await player.getByRole("button", { name: "Confirm shipping address" }).click();
      await expect(player.getByTestId("shipping-confirmed")).toBeVisible();
      await shot(player, "claims-06-shipping-confirmed");
    });
  });
});
