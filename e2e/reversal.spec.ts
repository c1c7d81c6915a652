import { expect, test } from "@playwright/test";
import { E2E_GIFTCARD_ADMIN_TOKEN, GIFTCARD_URL } from "./constants";
import {
  ADMIN_EMAIL,
  apiToken,
  createPlayer,
  findOpenDrop,
  LAUNCH_DROP,
  LAUNCH_PRIZE,
  otherClientIp,
  shot,
  signIn,
} from "./helpers";

type Request = Parameters<typeof findOpenDrop>[0];

async function remaining(request: Request): Promise<number> {
  const drop = await findOpenDrop(request, LAUNCH_DROP);
  if (!drop) throw new Error(`${LAUNCH_DROP} is not open`);
  return drop.remaining;
}

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** A new player's claim of the launch drop (its gift card comes from the local provider). */
async function claimLaunchCard(request: Request) {
  const player = await createPlayer(request, "reversal");
  const drop = await findOpenDrop(request, LAUNCH_DROP);
  if (!drop) throw new Error(`${LAUNCH_DROP} is not open`);
  const token = await apiToken(request, player.email, player.password);
  const claimed = await request.post(`/api/v1/drops/${drop.id}/claims`, {
    headers: { authorization: `Bearer ${token}`, "x-forwarded-for": otherClientIp() },
  });
  expect(claimed.status(), await claimed.text()).toBe(201);
  const redemptionId = ((await claimed.json()) as { redemption: { id: string } }).redemption.id;
  return { player, token, redemptionId };
}

test("an admin finds a player's redemption by email and reverses it: the unit returns and the player sees why", async ({
  page,
  browser,
  request,
}) => {
  const reason = "Claimed with a second account of the same person";
  const { player, redemptionId } = await claimLaunchCard(request);
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
    // The card is (or is about to be) at the provider: it is cancelled there before the unit
    // comes back.
    await expect(page.getByTestId("reversal-done")).toContainText(
      "Gift card being cancelled at the provider",
    );
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

  await test.step("the card is cancelled at the provider: the unit is back in the drop", async () => {
    await expect.poll(() => remaining(request), { timeout: 60_000 }).toBe(before + 1);
    await page.reload();
    await expect(page.getByTestId("reversal-prize")).toHaveAttribute("data-prize", "recovered");
    await expect(page.getByTestId("reversal-prize")).toContainText("the unit is back in the drop");
    await page.setViewportSize(DESKTOP);
    await shot(page, "reversal-06-admin-recovered-desktop");
    await page.setViewportSize(PHONE);
    await shot(page, "reversal-07-admin-recovered-phone");
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
    await expect(playerPage.getByTestId("reversal-prize")).toContainText(
      "Your gift card was cancelled at the provider",
    );
    // The cancelled card's code is not shown any more, and the claim's code is void.
    await expect(playerPage.getByTestId("delivery-card")).toHaveCount(0);
    await expect(playerPage.getByTestId("redemption-code")).toHaveAttribute("data-void", "true");
    await expect(playerPage.getByTestId("redemption-code-void")).toContainText(
      "Void: this redemption was reversed",
    );
    await expect(playerPage.getByRole("button", { name: "Copy the code" })).toHaveCount(0);
    await playerPage.setViewportSize(DESKTOP);
    await shot(playerPage, "reversal-05-player-detail");
    await playerPage.setViewportSize(PHONE);
    await shot(playerPage, "reversal-05b-player-detail-phone");

    await playerPage.goto("/notifications");
    const told = playerPage
      .getByTestId("notification")
      .filter({ hasText: `${LAUNCH_PRIZE} was taken back` });
    await expect(told).toHaveCount(1);
    await expect(told).toContainText("will stop working: do not use it");
    await expect(told).toContainText(reason);
    await context.close();
  });

  await test.step("the player is mailed the reversal once, with what it means", async () => {
    const mail = page
      .getByTestId("mail-message")
      .filter({ hasText: `${LAUNCH_PRIZE} was taken back` });
    await expect
      .poll(async () => {
        await page.goto(`/dev/mailbox?to=${encodeURIComponent(player.email)}`);
        return mail.count();
      })
      .toBe(1);
    await expect(mail).toContainText(
      "Its gift card is being cancelled at the provider and will stop working: do not use it.",
    );
    await expect(mail).toContainText(`Reason given: ${reason}`);
    await expect(mail).toContainText(`/redemptions/${redemptionId}`);
    await page.setViewportSize(PHONE);
    await shot(page, "reversal-12-player-mail-phone");
    await page.setViewportSize(DESKTOP);
    await shot(page, "reversal-13-player-mail-desktop");
  });
});

test("a card the player already redeemed cannot be taken back: the unit stays consumed", async ({
  page,
  browser,
  request,
}) => {
  const { player, token, redemptionId } = await claimLaunchCard(request);
  const orderId = await test.step("the card is delivered, and the player spends it", async () => {
    let reference: string | null = null;
    await expect
      .poll(
        async () => {
          const res = await request.get(`/api/v1/redemptions/${redemptionId}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const body = (await res.json()) as {
            delivery: { status: string; reference: string | null } | null;
          };
          reference = body.delivery?.reference ?? null;
          return body.delivery?.status;
        },
        { timeout: 60_000 },
      )
      .toBe("delivered");
    const redeemed = await request.post(`${GIFTCARD_URL}/admin/orders/${reference}/redeem`, {
      headers: { authorization: `Bearer ${E2E_GIFTCARD_ADMIN_TOKEN}` },
    });
    expect(redeemed.status(), await redeemed.text()).toBe(200);
    return reference as unknown as string;
  });
  expect(orderId).toMatch(/^ORD-/);
  const before = await remaining(request);

  await test.step("the admin reverses it: the provider refuses, the prize is lost", async () => {
    await page.setViewportSize(DESKTOP);
    await signIn(page, ADMIN_EMAIL);
    await page.goto(`/admin/redemptions/${redemptionId}`);
    const form = page.getByRole("form", { name: "Reverse redemption" });
    await form.getByLabel("Reason (shown to the player)").fill("Chargeback on the account");
    await form.getByLabel("I confirm this reversal").check();
    await form.getByRole("button", { name: "Reverse redemption" }).click();
    await expect(page.getByTestId("reversal-done")).toBeVisible();
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId("reversal-prize").getAttribute("data-prize");
        },
        { timeout: 60_000 },
      )
      .toBe("lost");
    await expect(page.getByTestId("reversal-prize")).toContainText("not recoverable");
    await shot(page, "reversal-08-admin-lost-desktop");
    await page.setViewportSize(PHONE);
    await shot(page, "reversal-09-admin-lost-phone");
  });

  await test.step("the unit stays consumed: the drop's remaining count is unchanged", async () => {
    expect(await remaining(request)).toBe(before);
  });

  await test.step("the player is told the prize had already been sent", async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const playerPage = await context.newPage();
    await signIn(playerPage, player.email, player.password);
    await playerPage.goto(`/redemptions/${redemptionId}`);
    await expect(playerPage.getByTestId("reversal-prize")).toContainText(
      "Your prize had already been sent",
    );
    // The card went out and stays the player's; the claim's code, only its reference, is void.
    await expect(playerPage.getByTestId("delivery-card")).toBeVisible();
    await expect(playerPage.getByTestId("redemption-code")).toHaveAttribute("data-void", "true");
    await shot(playerPage, "reversal-10-player-lost-phone");
    await playerPage.setViewportSize(DESKTOP);
    await shot(playerPage, "reversal-11-player-lost-desktop");
    await context.close();
  });
});
