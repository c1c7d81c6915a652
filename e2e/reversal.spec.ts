import { expect, test } from "@playwright/test";
import {
  ADMIN_EMAIL,
  apiToken,
  createPlayer,
  findOpenDrop,
  LAUNCH_DROP,
  otherClientIp,
  shot,
  signIn,
} from "./helpers";

async function remaining(request: Parameters<typeof findOpenDrop>[0]): Promise<number> {
  const drop = await findOpenDrop(request, LAUNCH_DROP);
  if (!drop) throw new Error(`${LAUNCH_DROP} is not open`);
  return drop.remaining;
}

test("an admin finds a player's redemption by email and reverses it: the unit returns and the player sees why", async ({
  page,
  browser,
  request,
}) => {
  const reason = "Claimed with a second account of the same person";
  const player = await createPlayer(request, "reversal");
  const drop = await findOpenDrop(request, LAUNCH_DROP);
  if (!drop) throw new Error(`${LAUNCH_DROP} is not open`);
  const token = await apiToken(request, player.email, player.password);
  const claimed = await request.post(`/api/v1/drops/${drop.id}/claims`, {
    headers: { authorization: `Bearer ${token}`, "x-forwarded-for": otherClientIp() },
  });
  expect(claimed.status(), await claimed.text()).toBe(201);
  const redemptionId = ((await claimed.json()) as { redemption: { id: string } }).redemption.id;
  const before = await remaining(request);

  await signIn(page, ADMIN_EMAIL);

  await test.step("the admin finds the redemption by the player's email", async () => {
    await page.goto("/admin");
    await page.getByRole("link", { name: "Redemptions" }).click();
    await expect(page.getByRole("heading", { name: "Redemptions", level: 1 })).toBeVisible();
    await page.getByLabel("Player (email or id)").fill(player.email.toUpperCase());
    await page.getByRole("button", { name: "Search" }).click();
    const rows = page.getByTestId("redemption-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(player.email);
    await expect(rows.first()).toContainText(LAUNCH_DROP);
    await expect(rows.first().getByTestId("redemption-status")).toHaveText("fulfilled");
    await shot(page, "reversal-01-search");
    await rows.first().getByRole("link", { name: "Details" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/redemptions/${redemptionId}$`));
  });

  await test.step("a reversal needs a reason and a confirmation", async () => {
    const form = page.getByRole("form", { name: "Reverse redemption" });
    await form.getByRole("button", { name: "Reverse redemption" }).click();
    await expect(form.getByText("Say why the redemption is reversed")).toBeVisible();
    await form.getByLabel("Reason (shown to the player)").fill(reason);
    await form.getByRole("button", { name: "Reverse redemption" }).click();
    await expect(form.getByText("Tick the box to confirm the reversal")).toBeVisible();
    await shot(page, "reversal-02-form-errors");
    await form.getByLabel("I confirm this reversal").check();
    await form.getByRole("button", { name: "Reverse redemption" }).click();
    await expect(page.getByTestId("reversal-done")).toBeVisible();
  });

  await test.step("the redemption shows reversed, with the ledger entry and the audit event", async () => {
    await page.reload();
    await expect(
      page.getByRole("heading", { level: 1 }).getByTestId("redemption-status"),
    ).toHaveText("reversed");
    await expect(page.getByTestId("reversal-facts")).toContainText(reason);
    await expect(page.getByTestId("reversal-facts")).toContainText(ADMIN_EMAIL);
    // The claim's entry, then the reversal's; a delivery's entry may come between (the worker
    // delivers the card while the admin works), so the reversal is found by its kind.
    const entries = page.getByTestId("ledger-entry");
    await expect(entries.first()).toContainText("redemption");
    await expect(entries.filter({ hasText: "reversal" })).toHaveCount(1);
    await expect(
      page.locator('[data-testid="audit-row"][data-action="redemption_reverse"]'),
    ).toHaveCount(1);
    await expect(page.getByRole("form", { name: "Reverse redemption" })).toHaveCount(0);
    await shot(page, "reversal-03-admin-detail");
  });

  await test.step("the unit is back: the drop's remaining count went up by one", async () => {
    expect(await remaining(request)).toBe(before + 1);
  });

  await test.step("the player sees the reversal with its reason and time", async () => {
    const context = await browser.newContext();
    const playerPage = await context.newPage();
    await signIn(playerPage, player.email, player.password);
    await playerPage.goto("/redemptions");
    const row = playerPage.getByTestId("redemption-row").filter({ hasText: LAUNCH_DROP });
    await expect(row.getByTestId("redemption-reversed")).toContainText("Reversed");
    await expect(row.getByTestId("redemption-reversed")).toContainText(reason);
    await shot(playerPage, "reversal-04-player-list");
    await row.getByRole("link").first().click();
    await expect(playerPage.getByTestId("redemption-reversed")).toContainText(reason);
    await expect(playerPage.getByTestId("reversal-receipt")).toBeVisible();
    await shot(playerPage, "reversal-05-player-detail");
    await context.close();
  });
});
