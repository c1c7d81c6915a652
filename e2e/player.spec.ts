import { expect, test } from "@playwright/test";
import {
  ADMIN_EMAIL,
  ALICE_EMAIL,
  apiToken,
  DEMO_PASSWORD,
  GIFT_CARD_CODE,
  LAUNCH_DROP,
  LAUNCH_PRIZE,
  shot,
  signIn,
  signOut,
  TX_HASH,
  UUID,
  uniqueEmail,
  verifyEmailViaMailbox,
} from "./helpers";

test.describe("player", () => {
  test("signs up, claims a live drop, sees the receipt anchored and cannot claim twice", async ({
    page,
  }) => {
    const email = uniqueEmail("signup");
    const displayName = `Pat ${Date.now().toString(36)}`;

    await test.step("sign up: a too-short password is refused with a field error", async () => {
      await page.goto("/signup");
      await expect(page.getByRole("heading", { name: "Create your player account" })).toBeVisible();
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Display name").fill(displayName);
      await page.getByLabel("Password").fill("short");
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByText("Password must be at least 10 characters")).toBeVisible();
      await expect(page).toHaveURL(/\/signup$/);
      await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
      // What was typed (except the password) is kept.
      await expect(page.getByLabel("Email")).toHaveValue(email);
      await shot(page, "player-01-signup-short-password");
    });

    await test.step("sign up with a good password, country and 18+ lands signed in on the home page", async () => {
      await page.getByLabel("Password").fill("a-long-enough-password");
      await page.getByLabel("Country of residence").selectOption("US");
      await page.getByLabel("I am 18 or older").check();
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByTestId("signed-in-as")).toHaveText(`${displayName} · player`);
      await expect(page.getByRole("link", { name: "My redemptions" })).toBeVisible();
    });

    await test.step("confirm the email from the mailed link: claims need a confirmed address", async () => {
      await expect(page.getByTestId("verify-email-banner")).toBeVisible();
      await verifyEmailViaMailbox(page, email);
      await expect(page.getByTestId("verify-email-banner")).toHaveCount(0);
      await page.goto("/");
    });

    const launchCard = page.getByTestId("drop-card").filter({ hasText: LAUNCH_DROP });
    await test.step("home shows the live drop with remaining units and an end countdown", async () => {
      await expect(launchCard).toBeVisible();
      await expect(launchCard.getByText("live", { exact: true })).toBeVisible();
      await expect(launchCard.getByTestId("remaining")).toHaveText(/^\d+$/);
      await expect(launchCard.getByText(/of 100 left/)).toBeVisible();
      await expect(launchCard.getByTestId("countdown")).toHaveText(
        /^Ends in (\d+d )?\d\d:\d\d:\d\d$/,
      );
      await shot(page, "player-02-home-signed-in");
    });

    let dropUrl = "";
    let redemptionUrl = "";
    await test.step("claim one unit: confirmation with code, receipt pending then anchored", async () => {
      await launchCard.getByRole("link", { name: LAUNCH_DROP }).click();
      await expect(page).toHaveURL(new RegExp(`/drops/${UUID.source}$`));
      await expect(page.getByRole("heading", { level: 1, name: LAUNCH_DROP })).toBeVisible();
      await expect(page.getByTestId("countdown")).toHaveText(/^Ends in /);
      dropUrl = page.url();
      await page.getByRole("button", { name: "Claim one unit" }).click();

      await expect(page).toHaveURL(new RegExp(`/redemptions/${UUID.source}\\?claimed=1$`));
      redemptionUrl = page.url();
      await expect(page.getByTestId("claim-success")).toHaveText(
        `You claimed a unit of ${LAUNCH_DROP}.`,
      );
      await expect(page.getByTestId("redemption-code")).toHaveText(GIFT_CARD_CODE);
      // The worker batches for ~2 s before anchoring, so the provisional state is seen first.
      await expect(page.getByTestId("receipt-status")).toHaveText("pending anchoring");
      await shot(page, "player-03-claimed-pending");

      await expect(page.getByTestId("receipt-status")).toHaveText("anchored");
      await expect(page.getByTestId("tx-hash")).toHaveText(TX_HASH);
      await expect(page.getByTestId("download-receipt")).toBeVisible();
      // The site's two witnesses cosign the checkpoint a moment after it is anchored; the page
      // keeps asking and says so live, and the download is then the one verifiers accept.
      const witnesses = page.getByTestId("receipt-witnesses");
      // Cosigning waits on the witnesses' chain checks, slower under load than the default wait.
      await expect(witnesses).toHaveText("witnessed by 2 of 2", { timeout: 60_000 });
      await expect(witnesses).toHaveAttribute("role", "status");
      await expect(page.getByTestId("receipt-unwitnessed")).toHaveCount(0);
      await expect(page.getByTestId("download-receipt")).toHaveText("Download receipt (JSON)");
      await shot(page, "player-04-claimed-anchored");
      await page.setViewportSize({ width: 390, height: 844 });
      await expect(witnesses).toBeVisible();
      await shot(page, "player-04-claimed-anchored-phone");
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    await test.step("My redemptions lists the claim", async () => {
      await page.getByRole("link", { name: "My redemptions" }).click();
      await expect(page).toHaveURL(/\/redemptions$/);
      const rows = page.getByTestId("redemption-row");
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toContainText(LAUNCH_DROP);
      await expect(rows.first()).toContainText(LAUNCH_PRIZE);
      await expect(rows.first()).toContainText("anchored");
      await expect(rows.first().getByRole("link", { name: LAUNCH_PRIZE })).toHaveAttribute(
        "href",
        new URL(redemptionUrl).pathname,
      );
      await shot(page, "player-05-my-redemptions");
    });

    await test.step("back on the drop, the page says it is claimed and links to the unit", async () => {
      await page.goto(dropUrl);
      const held = page.getByTestId("claimed-already");
      await expect(held).toContainText("You claimed this.");
      await expect(held.getByRole("link")).toHaveAttribute("href", new URL(redemptionUrl).pathname);
      await expect(page.getByRole("button", { name: "Claim one unit" })).toHaveCount(0);
      await shot(page, "player-06-already-claimed");
    });

    await test.step("an upcoming drop counts down to its start and takes no early claim", async () => {
      // A drop of our own starting in an hour: the seeded flash drop opens 5 minutes after the
      // seed, which may fall in the middle of this step, depending on how long the specs before
      // it took.
      const upcomingTitle = await createUpcomingDrop(page.request);
      await page.goto("/");
      const card = page.getByTestId("drop-card").filter({ hasText: upcomingTitle });
      await expect(card.getByText("upcoming", { exact: true })).toBeVisible();
      await expect(card.getByTestId("countdown")).toHaveText(/^Starts in (\d+d )?\d\d:\d\d:\d\d$/);
      await card.getByRole("link", { name: upcomingTitle }).click();
      await expect(page).toHaveURL(new RegExp(`/drops/${UUID.source}$`));
      await expect(page.getByRole("heading", { level: 1, name: upcomingTitle })).toBeVisible();
      await expect(page.getByTestId("countdown")).toHaveText(/^Starts in /);
      // No claim is sent before the start (the server would refuse it): the button says why.
      await expect(page.getByRole("button", { name: "Opens at the start" })).toBeDisabled();
      await shot(page, "player-07-not-started");
    });
  });

  test("a demo player signs in and out; a wrong password is refused", async ({ page }) => {
    await page.goto("/signin");
    await page.getByLabel("Email").fill(ALICE_EMAIL);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password");
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
    await expect(page.getByLabel("Email")).toHaveValue(ALICE_EMAIL);
    await shot(page, "player-08-wrong-password");

    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId("signed-in-as")).toHaveText("Alice · player");

    await signOut(page);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("link", { name: "My redemptions" })).toHaveCount(0);

    // Signed out for real: a player-only page sends us to sign in.
    await page.goto("/redemptions");
    await expect(page).toHaveURL(/\/signin\?next=(%2F|\/)redemptions$/);
    await signIn(page, ALICE_EMAIL);
  });
});

/** An admin-made drop starting in an hour. */
async function createUpcomingDrop(
  request: import("@playwright/test").APIRequestContext,
): Promise<string> {
  const token = await apiToken(request, ADMIN_EMAIL);
  const headers = { authorization: `Bearer ${token}` };
  const prize = await request.post("/api/v1/admin/prizes", {
    headers,
    data: { name: "E2E upcoming prize", kind: "crypto", value: 1, quantity: 10 },
  });
  expect(prize.status()).toBe(201);
  const title = `E2E upcoming ${Date.now().toString(36)}`;
  const start = Date.now() + 3_600_000;
  const drop = await request.post("/api/v1/admin/drops", {
    headers,
    data: {
      title,
      prizeId: ((await prize.json()) as { id: string }).id,
      units: 5,
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 3_600_000).toISOString(),
    },
  });
  expect(drop.status()).toBe(201);
  return title;
}
