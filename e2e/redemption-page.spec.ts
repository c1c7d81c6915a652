/**
 * A crypto prize's redemption page says what the prize is and follows its payment: the amount and
 * token, that a wallet must be linked (with the way there), then, without a reload, the wallet it
 * is paid to, the payment's status and, once paid, its transaction hash in full, to copy.
 */
import { expect, test } from "@playwright/test";
import { Wallet } from "ethers";
import { createCryptoDrops } from "./crypto-drops";
import { ADMIN_EMAIL, apiToken, createPlayer, shot, signIn, TX_HASH, UUID } from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

for (const size of SIZES) {
  test(`a crypto prize asks for a wallet, then shows its payment live until paid (${size.name})`, async ({
    page,
    context,
    request,
  }) => {
    test.setTimeout(180_000);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.setViewportSize(size.viewport);
    const name = `E2E Payout ${size.name} ${Date.now().toString(36)}`;
    const [dropId = ""] = await createCryptoDrops(name, 1);
    const player = await createPlayer(request, `payout-${size.name}`);
    await signIn(page, player.email, player.password);

    await test.step("the player claims: the page shows the tokens and asks for a wallet", async () => {
      await page.goto(`/drops/${dropId}`);
      await page.getByRole("button", { name: "Claim one unit" }).click();
      await expect(page).toHaveURL(new RegExp(`/redemptions/${UUID.source}\\?claimed=1$`));
      await expect(page.getByTestId("payout-amount")).toHaveText("1 PLT");
      // The delivery job finds no wallet; the page hears of it on its stream.
      const payout = page.getByTestId("payout");
      await expect(payout).toHaveAttribute("data-status", "awaiting_wallet", { timeout: 60_000 });
      await expect(page.getByTestId("payout-status")).toHaveText("Waiting for a linked wallet");
      await expect(page.getByTestId("payout-next")).toHaveText(
        "Link a wallet on your account page: the payment goes out to it as soon as you do.",
      );
      await expect(payout.getByRole("link", { name: "Link a wallet" })).toHaveAttribute(
        "href",
        "/account",
      );
      await page.getByRole("button", { name: "Copy the code" }).click();
      const code = await page.getByTestId("redemption-code").textContent();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
      await shot(page, `redemption-page-crypto-1-no-wallet-${size.name}`);
    });
    // What follows must come through the stream: this page is not loaded again.
    await page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });

    const wallet = Wallet.createRandom();
    await test.step("the player links a wallet in another tab", async () => {
      const account = await context.newPage();
      await account.setViewportSize(size.viewport);
      await account.goto("/account");
      const section = account.getByTestId("wallet-link");
      await section.getByLabel("Wallet address").fill(wallet.address);
      await section.getByRole("button", { name: "Get the message to sign" }).click();
      const messageBox = section.getByLabel("Message to sign (valid for 10 minutes)");
      await expect(messageBox).toContainText("Prizeledger prize payouts");
      await section
        .getByLabel("Signature")
        .fill(await wallet.signMessage(await messageBox.inputValue()));
      await section.getByRole("button", { name: "Link this wallet" }).click();
      await expect(section.getByTestId("linked-address")).toHaveText(wallet.address);
      await account.close();
    });

    await test.step("the open page follows the payment to paid, with its transaction", async () => {
      await page.bringToFront();
      const payout = page.getByTestId("payout");
      await expect(payout).toHaveAttribute("data-status", "confirmed", { timeout: 60_000 });
      await expect(page.getByTestId("payout-status")).toHaveText("Paid");
      await expect(page.getByTestId("payout-wallet")).toHaveText(wallet.address);
      await expect(page.getByTestId("payout-next")).toHaveText(
        "Paid: the tokens are in your wallet.",
      );
      await expect(page.getByTestId("payout-tx")).toHaveText(TX_HASH);
      await expect(page.getByTestId("delivery-status")).toHaveText("Delivered");
      await expect(page.getByTestId("delivery-step-submitted")).toContainText("Sent on chain");
      await expect(page.getByTestId("delivery-step-delivered")).toContainText("Paid");
      await payout.getByRole("button", { name: "Copy the transaction hash" }).click();
      await expect(
        payout.getByRole("status").filter({ hasText: "the transaction hash copied" }),
      ).toHaveCount(1);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
        await page.getByTestId("payout-tx").textContent(),
      );
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
        true,
      );
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(size.viewport.width);
      await shot(page, `redemption-page-crypto-2-paid-${size.name}`);
    });
  });
}

test("a crypto prize reversed before its payment: the code is void and nothing will be paid", async ({
  page,
  request,
}) => {
  const [dropId = ""] = await createCryptoDrops(
    `E2E Payout reversed ${Date.now().toString(36)}`,
    1,
  );
  const player = await createPlayer(request, "payout-reversed");
  await signIn(page, player.email, player.password);
  await page.goto(`/drops/${dropId}`);
  await page.getByRole("button", { name: "Claim one unit" }).click();
  await expect(page).toHaveURL(new RegExp(`/redemptions/${UUID.source}\\?claimed=1$`));
  const redemptionId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
  const payout = page.getByTestId("payout");
  await expect(payout).toHaveAttribute("data-status", "awaiting_wallet", { timeout: 60_000 });

  await test.step("an admin reverses it: the open page stops asking for a wallet", async () => {
    const admin = await apiToken(request, ADMIN_EMAIL);
    const reversed = await request.post(`/api/v1/admin/redemptions/${redemptionId}/reversal`, {
      headers: { authorization: `Bearer ${admin}` },
      data: { reason: "Claimed from a blocked region" },
    });
    expect(reversed.status(), await reversed.text()).toBe(201);
    await expect(payout).toHaveAttribute("data-status", "cancelled");
    await expect(page.getByTestId("payout-next")).toHaveText(
      "Cancelled: this redemption ended before the payment went out, so nothing was paid.",
    );
    await expect(payout.getByRole("link", { name: "Link a wallet" })).toHaveCount(0);
  });

  await test.step("reloaded, the code is struck through and said to be void", async () => {
    await page.reload();
    await expect(page.getByTestId("redemption-code")).toHaveAttribute("data-void", "true");
    await expect(page.getByTestId("redemption-code-void")).toContainText("Void");
    await expect(page.getByTestId("reversal-prize")).toContainText("went back to the drop");
    await expect(page.getByTestId("delivery-status")).toHaveText("Cancelled");
    for (const size of SIZES) {
      await page.setViewportSize(size.viewport);
      await shot(page, `redemption-page-crypto-3-reversed-${size.name}`);
    }
  });
});

test("a stock gift card reversed after its code was shown stays the player's, said so", async ({
  page,
  request,
}) => {
  const admin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
  const title = `E2E Stock card ${Date.now().toString(36)}`;
  const prize = await request.post("/api/v1/admin/prizes", {
    headers: admin,
    data: { name: `${title} card`, kind: "gift_card", value: 10, quantity: 1 },
  });
  expect(prize.status(), await prize.text()).toBe(201);
  const prizeId = ((await prize.json()) as { id: string }).id;
  const code = `STOCK-${Date.now().toString(36).toUpperCase()}`;
  const codes = await request.post(`/api/v1/admin/prizes/${prizeId}/codes`, {
    headers: admin,
    data: { csv: `code\n${code}\n` },
  });
  expect(codes.status(), await codes.text()).toBe(201);
  const drop = await request.post("/api/v1/admin/drops", {
    headers: admin,
    data: {
      title,
      prizeId,
      units: 1,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(drop.status(), await drop.text()).toBe(201);
  const dropId = ((await drop.json()) as { id: string }).id;

  const player = await createPlayer(request, "stock-card");
  await signIn(page, player.email, player.password);
  await page.goto(`/drops/${dropId}`);
  await page.getByRole("button", { name: "Claim one unit" }).click();
  await expect(page).toHaveURL(new RegExp(`/redemptions/${UUID.source}\\?claimed=1$`));
  await expect(page.getByTestId("redemption-code")).toHaveText(code);
  const redemptionId = new URL(page.url()).pathname.split("/").at(-1) ?? "";

  const reversed = await request.post(`/api/v1/admin/redemptions/${redemptionId}/reversal`, {
    headers: admin,
    data: { reason: "Chargeback on the account" },
  });
  expect(reversed.status(), await reversed.text()).toBe(201);
  expect(((await reversed.json()) as { prize: string }).prize).toBe("lost");

  await page.reload();
  await expect(page.getByTestId("reversal-prize")).toContainText(
    "Your prize had already been sent",
  );
  // The code is the card itself, already shown: it cannot be withdrawn, and the page does not
  // pretend it was.
  await expect(page.getByTestId("redemption-code")).toHaveText(code);
  await expect(page.getByTestId("redemption-code")).not.toHaveAttribute("data-void", "true");
  await expect(page.getByTestId("redemption-code-void")).toHaveCount(0);
  await expect(page.getByText("reversed after this card had gone out to you")).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy the code" })).toBeVisible();
  for (const size of SIZES) {
    await page.setViewportSize(size.viewport);
    await shot(page, `redemption-page-stock-card-reversed-${size.name}`);
  }
});
