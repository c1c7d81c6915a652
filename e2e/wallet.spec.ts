import fs from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { SIGNATURE_HEADER, signWebhook } from "../lib/payments/webhook-signature";
import { E2E_DATA_DIR } from "./constants";
import { ADMIN_EMAIL, apiToken, createPlayer, shot, signIn } from "./helpers";

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

  test(`a player with no declared region buys GC without the free SC, as the page says (${size.name})`, async ({
    page,
    request,
  }) => {
    await page.setViewportSize(size.viewport);
    const player = await createPlayer(request, `noregion-${size.name}`, { region: null });
    await signIn(page, player.email, player.password);
    await page.goto("/wallet");
    const starter = page.getByTestId("coin-package").filter({ hasText: "Starter" });

    await test.step("the packages say, before buying, that no free SC comes with them", async () => {
      await expect(page.getByTestId("bonus-withheld-note")).toContainText(
        "You have not declared your region: a package credits its Gold Coins only",
      );
      await expect(starter).toContainText("(no free SC in your region)");
      await shot(page, `wallet-${size.name}-08-no-region-note`);
    });

    await test.step("the purchase credits the GC alone, and the statement says why", async () => {
      await starter.getByRole("button", { name: "Buy Starter for $4.99" }).click();
      const payLink = starter.getByTestId("pay-link");
      const [provider] = await Promise.all([page.waitForEvent("popup"), payLink.click()]);
      await provider.getByRole("button", { name: /Pay with test card/ }).click();
      // Back on the wallet page; once the webhook has credited the coins, the page says how.
      await expect(provider.getByTestId("header-gc")).toHaveText("GC 5000.00");
      await provider.reload();
      await expect(provider.getByTestId("purchase-status")).toContainText(
        "Paid and credited (Gold Coins only: no free SC in your region)",
      );
      await provider.close();
      await expect(page.getByTestId("header-gc")).toHaveText("GC 5000.00");
      await expect(page.getByTestId("header-sc")).toHaveText("SC 0.00");
      await expect(page.getByTestId("statement-line")).toContainText(
        "Free SC not credited: Sweeps Coins are not open in the region",
      );
      await shot(page, `wallet-${size.name}-09-gc-only`);
    });

    await test.step("free SC is refused until the region is declared", async () => {
      await page.getByRole("button", { name: "Claim today's 1.00 free SC" }).click();
      await expect(page.getByText("Declare your region on your account page first")).toBeVisible();
    });
  });

  test(`payments confirmed for another amount wait for the admin, who resolves each (${size.name})`, async ({
    page,
    browser,
    request,
  }) => {
    await page.setViewportSize(size.viewport);
    const player = await createPlayer(request, `mismatch-${size.name}`);
    const token = await apiToken(request, player.email, player.password);
    const auth = { authorization: `Bearer ${token}` };
    const packages = (await (await request.get("/api/v1/coin-packages")).json()) as {
      packages: { id: string; name: string }[];
    };
    const secret = fs
      .readFileSync(path.join(E2E_DATA_DIR, "payment-webhook-secret"), "utf8")
      .trim();
    /** A Starter purchase the processor confirms for `amountCents` (not $4.99): under review. */
    const heldPurchase = async (amountCents: number) => {
      const started = await request.post("/api/v1/purchases", {
        headers: { ...auth, "idempotency-key": `e2e-mismatch-${size.name}-${amountCents}` },
        data: { packageId: packages.packages.find((p) => p.name === "Starter")?.id },
      });
      expect(started.status(), await started.text()).toBe(201);
      const { purchase, confirmUrl } = (await started.json()) as {
        purchase: { id: string };
        confirmUrl: string;
      };
      const body = JSON.stringify({
        id: `evt_e2e_${size.name}_${amountCents}`,
        type: "payment.succeeded",
        data: {
          intent: new URL(confirmUrl).pathname.split("/").at(-1) ?? "",
          reference: purchase.id,
          amountCents,
          currency: "usd",
        },
      });
      const answer = await request.post("/api/v1/payments/webhook", {
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: signWebhook(secret, body),
        },
        data: body,
      });
      expect(await answer.json()).toEqual({ received: true, outcome: "needs_review" });
      return purchase.id;
    };
    await signIn(page, player.email, player.password);

    const [toCredit, toRefund] =
      await test.step("the processor confirms $0.01 and $0.02: nothing is credited", async () => {
        const ids = [await heldPurchase(1), await heldPurchase(2)];
        await page.goto(`/wallet?purchase=${ids[0]}`);
        await expect(page.getByTestId("purchase-status")).toContainText("Under review");
        await expect(page.getByTestId("header-gc")).toHaveText("GC 0.00");
        return ids;
      });

    const context = await browser.newContext({ viewport: size.viewport });
    const admin = await context.newPage();
    const held = (cents: string) =>
      admin
        .getByTestId("payment-to-review")
        .filter({ hasText: player.email })
        .filter({ hasText: `the processor confirmed ${cents} USD for 4.99 USD` });

    await test.step("the admin sees both under payments to review", async () => {
      await signIn(admin, ADMIN_EMAIL);
      await admin.goto("/admin/wallet");
      await expect(held("0.01")).toContainText("$4.99");
      await expect(held("0.02")).toBeVisible();
      await expect(admin.getByTestId("payments-to-review")).toContainText(
        "Crediting is allowed even past the player's purchase limit",
      );
      await admin.getByTestId("payments-to-review").scrollIntoViewIfNeeded();
      await shot(admin, `wallet-${size.name}-10-payments-to-review`);
    });

    await test.step("a resolution needs a reason; then the admin credits one", async () => {
      const row = held("0.01");
      await row.getByRole("button", { name: "Credit the coins" }).click();
      await expect(row.getByText("Say why (kept with the payment and audited)")).toBeVisible();
      await row.getByRole("textbox", { name: "Reason" }).fill("Processor confirms $4.99 taken");
      await row.getByRole("button", { name: "Credit the coins" }).click();
      await expect(row.getByRole("status")).toHaveText("Credited 5000.00 GC and 5.00 SC");
      await shot(admin, `wallet-${size.name}-11-payment-credited`);
    });

    await test.step("and closes the other as refunded at the processor", async () => {
      const row = held("0.02");
      await row
        .getByRole("textbox", { name: "Reason" })
        .fill("Refunded in the processor's dashboard");
      await row.getByRole("button", { name: "Close as refunded" }).click();
      await expect(row.getByRole("status")).toHaveText("Closed as refunded: nothing credited");
    });

    await test.step("after a reload both are listed as resolved, with their outcome", async () => {
      await admin.reload();
      await expect(held("0.01")).toHaveCount(0);
      await expect(held("0.02")).toHaveCount(0);
      const resolved = admin.getByTestId("resolved-payment").filter({ hasText: player.email });
      await expect(resolved).toHaveCount(2);
      await expect(
        resolved.filter({ hasText: "Refunded in the processor's dashboard" }),
      ).toContainText("Closed as refunded: nothing credited");
      await expect(resolved.filter({ hasText: "Processor confirms $4.99 taken" })).toContainText(
        "Credited",
      );
      await admin.getByTestId("resolved-payments").scrollIntoViewIfNeeded();
      await shot(admin, `wallet-${size.name}-12-payments-resolved`);
      await context.close();
    });

    await test.step("the player has the credited package's coins, and sees the refund", async () => {
      await page.goto(`/wallet?purchase=${toRefund}`);
      await expect(page.getByTestId("purchase-status")).toContainText("Refunded");
      await expect(page.getByTestId("header-gc")).toHaveText("GC 5000.00");
      await expect(page.getByTestId("header-sc")).toHaveText("SC 5.00");
      await expect(page.getByTestId("statement-line").first()).toContainText(
        "Bought the Starter package. Credited after review",
      );
      await shot(page, `wallet-${size.name}-13-player-after-review`);
      await page.goto(`/wallet?purchase=${toCredit}`);
      await expect(page.getByTestId("purchase-status")).toContainText("Paid and credited");
    });
  });
}
