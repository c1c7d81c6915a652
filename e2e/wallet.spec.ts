import fs from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { ADMIN_EMAIL, createPlayer, shot, signIn } from "./helpers";

// Two sizes: a desktop browser and a phone.
const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

/** Marks the document, so that a test can tell it was never reloaded. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { walletMark: number }).walletMark = 1;
  });
}

async function stillSameDocument(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { walletMark?: number }).walletMark)).toBe(
    1,
  );
}

for (const size of SIZES) {
  test(`a player buys coins at the test provider and the header shows them without a reload (${size.name})`, async ({
    page,
    request,
  }) => {
    await page.setViewportSize(size.viewport);
    const player = await createPlayer(request, `buyer-${size.name}`);
    await signIn(page, player.email, player.password);
    await page.goto("/wallet");
    await expect(page.getByTestId("header-gc")).toHaveText("GC 0.00");
    await markDocument(page);

    await test.step("the package is paid on the provider's own page, in a new tab", async () => {
      const starter = page.getByTestId("coin-package").filter({ hasText: "Starter" });
      await starter.getByRole("button", { name: "Buy Starter for $4.99" }).click();
      const payLink = starter.getByTestId("pay-link");
      await expect(payLink).toHaveText("Pay $4.99 at the payment provider");
      const [provider] = await Promise.all([page.waitForEvent("popup"), payLink.click()]);
      await provider.setViewportSize(size.viewport);
      await expect(provider.getByTestId("provider-amount")).toHaveText("$4.99");
      await shot(provider, `wallet-${size.name}-01-provider`);
      await provider.getByRole("button", { name: /Pay with test card/ }).click();
      // The provider sends the player back; its webhook credits the coins a moment later.
      await expect(provider.getByRole("heading", { name: "Wallet" })).toBeVisible();
      await provider.close();
    });

    await test.step("the open page's header shows the coins, with no reload", async () => {
      await expect(page.getByTestId("header-gc")).toHaveText("GC 5000.00");
      await expect(page.getByTestId("header-sc")).toHaveText("SC 5.00");
      // The page under it follows: balances and statement, still the same document.
      await expect(page.getByTestId("wallet-gc")).toHaveText("5000.00");
      await expect(page.getByTestId("statement-line")).toHaveCount(2);
      await stillSameDocument(page);
      await shot(page, `wallet-${size.name}-02-credited`);
    });

    await test.step("today's free Sweeps Coins, once", async () => {
      const claim = page.getByRole("button", { name: "Claim today's 1.00 free SC" });
      await claim.click();
      await expect(page.getByText("1.00 free Sweeps Coins added to your wallet")).toBeVisible();
      await expect(page.getByTestId("header-sc")).toHaveText("SC 6.00");
      await page.getByRole("button", { name: "Claim today's 1.00 free SC" }).click();
      await expect(page.getByText("You have claimed today's free Sweeps Coins")).toBeVisible();
    });

    await test.step("the statement filters by kind and downloads as CSV", async () => {
      await page.goto("/wallet");
      await expect(page.getByTestId("statement-line")).toHaveCount(3);
      await expect(page.getByTestId("wallet-redeemable")).toHaveText("0.00");
      await page.getByLabel("Kind").selectOption("daily_bonus");
      await page.getByRole("button", { name: "Filter" }).click();
      await expect(page).toHaveURL(/kind=daily_bonus/);
      await expect(page.getByTestId("statement-line")).toHaveCount(1);
      await expect(page.getByTestId("statement-line")).toContainText("Daily free Sweeps Coins");
      await shot(page, `wallet-${size.name}-03-statement`);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByTestId("statement-csv").click(),
      ]);
      const csv = fs.readFileSync((await download.path()) ?? "", "utf8").split("\r\n");
      expect(csv[0]).toBe("posting_id,at,kind,description,currency,amount,balance_after");
      expect(csv[1]).toMatch(/,daily_bonus,Daily free Sweeps Coins,SC,1\.00,6\.00$/);
      expect(csv).toHaveLength(3);
    });
  });

  test(`an admin grants coins and issues a mail-in code a player redeems (${size.name})`, async ({
    page,
    browser,
    request,
  }) => {
    await page.setViewportSize(size.viewport);
    const player = await createPlayer(request, `mailin-${size.name}`);
    await signIn(page, ADMIN_EMAIL);
    await page.goto("/admin/wallet");

    const code = await test.step("the admin issues a code, shown once", async () => {
      const form = page.getByRole("form", { name: "Issue mail-in codes" });
      await form.getByLabel("How many").fill("1");
      await form.getByLabel("SC each").fill("2.50");
      await form.getByLabel("Note (what they are for)").fill("E2E sweepstakes card");
      await form.getByRole("button", { name: "Issue codes" }).click();
      const codes = form.getByTestId("mail-in-codes");
      await expect(codes).toHaveText(/^MAIL-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
      return (await codes.textContent()) ?? "";
    });

    await test.step("a grant needs a reason, then credits the player", async () => {
      const form = page.getByRole("form", { name: "Grant coins" });
      await form.getByLabel("Player id").fill(player.id);
      await form.getByLabel("Currency").selectOption("SC");
      await form.getByLabel("Amount").fill("3.00");
      await form.getByRole("button", { name: "Grant" }).click();
      await expect(form.getByText("Give a reason")).toBeVisible();
      await form.getByLabel("Reason (kept with the grant and audited)").fill("E2E goodwill");
      await form.getByRole("button", { name: "Grant" }).click();
      await expect(form.getByRole("status")).toHaveText("Granted 3.00 SC");
      await page.reload();
      await expect(page.getByTestId("recent-transactions")).toContainText("E2E goodwill");
      await expect(page.getByTestId("total-promotions")).toBeVisible();
      await shot(page, `wallet-${size.name}-04-admin-overview`);
    });

    await test.step("the player redeems the code once", async () => {
      const context = await browser.newContext({ viewport: size.viewport });
      const playerPage = await context.newPage();
      await signIn(playerPage, player.email, player.password);
      await playerPage.goto("/wallet");
      await expect(playerPage.getByTestId("header-sc")).toHaveText("SC 3.00");
      await playerPage.getByRole("textbox", { name: "Mail-in code" }).fill(code.toLowerCase());
      await playerPage.getByRole("button", { name: "Redeem code" }).click();
      await expect(
        playerPage.getByText("2.50 free Sweeps Coins added to your wallet"),
      ).toBeVisible();
      await expect(playerPage.getByTestId("header-sc")).toHaveText("SC 5.50");
      await playerPage.getByRole("textbox", { name: "Mail-in code" }).fill(code);
      await playerPage.getByRole("button", { name: "Redeem code" }).click();
      await expect(playerPage.getByText("This code has been redeemed already")).toBeVisible();
      await shot(playerPage, `wallet-${size.name}-05-mail-in`);
      await context.close();
    });

    await test.step("the admin reads the player's statement", async () => {
      await page.goto(`/admin/accounts/${player.id}`);
      await page.getByRole("link", { name: "Wallet and statement →" }).click();
      await expect(page.getByTestId("player-balances")).toContainText("5.50 SC");
      await expect(page.getByTestId("statement-line")).toHaveCount(2);
      await expect(page.getByTestId("statement")).toContainText("Grant: E2E goodwill");
      await shot(page, `wallet-${size.name}-06-admin-statement`);
    });

    await test.step("the admin puts a package on sale and retires it", async () => {
      await page.goto("/admin/wallet/packages");
      const form = page.getByRole("form", { name: "New coin package" });
      const name = `E2E pack ${size.name}`;
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Price (US dollars)").fill("2.49");
      await form.getByLabel("Gold Coins").fill("1500");
      await form.getByLabel("Free Sweeps Coins with it").fill("1.50");
      await form.getByRole("button", { name: "Put on sale" }).click();
      await expect(form.getByRole("status")).toHaveText(`${name} is on sale`);
      const row = page.getByTestId("coin-package-row").filter({ hasText: name });
      await expect(row).toContainText("$2.49");
      await shot(page, `wallet-${size.name}-07-packages`);
      await row.getByRole("button", { name: "Retire" }).click();
      await expect(row).toContainText("retired");
    });
  });
}
