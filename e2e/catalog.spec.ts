import { randomUUID } from "node:crypto";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { prizes } from "../db/schema";
import { roundIntegers } from "../lib/games/rng";
import { scratchTier } from "../lib/games/scratch";
import { postTransactions } from "../lib/wallet/journal";
import { embeddedPostgresUrl } from "../scripts/lib/embedded-postgres";
import { E2E_PG_PORT } from "./constants";
import { ADMIN_EMAIL, createPlayer, shot, signIn } from "./helpers";

// Two sizes: a desktop browser and a phone.
const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

/** The e2e stack's own database: coins come from the coins helper's routes, not built here. */
const { db, sql: client } = createDb(embeddedPostgresUrl(E2E_PG_PORT), 2);
test.afterAll(() => client.end());

/** Grants redeemable SC through the journal, as an admin grant does. */
async function grantSc(playerId: string, minor: number): Promise<void> {
  await db.transaction((tx) =>
    postTransactions(tx, [
      {
        kind: "grant",
        idempotencyKey: `e2e-grant:${randomUUID()}`,
        userId: playerId,
        region: "US",
        reason: "e2e funds",
        postings: [
          { account: { player: playerId, currency: "SC" }, amount: minor },
          { account: { system: "promotions", currency: "SC" }, amount: -minor },
        ],
      },
    ]),
  );
}

async function newPrize(name: string): Promise<void> {
  await db.insert(prizes).values({ name, kind: "crypto", valueCents: 2500, quantity: 100 });
}

/**
 * Makes the player's next round land on the scratch card's prize tier: the active seed (made by
 * the app on the player's first look at /play) is replaced by one the test knows, and a client
 * seed is picked for its next nonce. The test plays the round through the page like anyone.
 */
async function rigPrizeTier(playerId: string): Promise<void> {
  const serverSeed = "ab".repeat(32);
  const [seed] = await db.execute<{ next_nonce: number }>(sql`
    update fair_seeds set server_seed = ${serverSeed}
    where user_id = ${playerId} and status = 'active' returning next_nonce`);
  if (!seed) throw new Error("the player has no seed in play");
  for (let i = 0; ; i++) {
    const [u] = roundIntegers(serverSeed, `prize-${i}`, seed.next_nonce, 1);
    if (scratchTier(u ?? 0)?.prize) {
      await db.execute(sql`
        insert into fair_client_seeds (user_id, client_seed) values (${playerId}, ${`prize-${i}`})
        on conflict (user_id) do update set client_seed = excluded.client_seed`);
      return;
    }
  }
}

/** Fills in and sends the identity form the page shows (/account/identity). */
async function declareIdentity(page: Page, legalName: string): Promise<void> {
  await page.getByLabel("Legal name").fill(legalName);
  await page.getByLabel("Date of birth").fill("1990-04-30");
  await page.getByLabel("Address", { exact: true }).fill("1 Main Street");
  await page.getByLabel("City").fill("Springfield");
  await page.getByLabel("Postal code").fill("12345");
  await page.getByLabel(/^Country/).fill("US");
  await page.getByRole("button", { name: "Declare identity" }).click();
  await expect(page.getByRole("status")).toContainText("Identity declared");
}

async function open(browser: Browser, viewport: { width: number; height: number }) {
  const context = await browser.newContext({ viewport });
  return { context, page: await context.newPage() };
}

async function putOnSale(admin: Page, prize: string, price: string): Promise<void> {
  await admin.goto("/admin/catalog");
  const form = admin.getByRole("form", { name: "New catalog item" });
  await form.getByLabel("Prize").selectOption({ label: prize });
  await form.getByLabel("Price (SC)").fill(price);
  await form.getByLabel("Stock").fill("5");
  await form.getByRole("button", { name: "Put on sale" }).click();
  await expect(form.getByRole("status")).toHaveText("On sale");
}

async function clickRedeem(page: Page, prize: string): Promise<void> {
  await page.goto("/catalog");
  await page
    .getByTestId("catalog-item")
    .filter({ hasText: prize })
    .getByRole("button", { name: /^Redeem for/ })
    .click();
}

async function redeem(page: Page, prize: string): Promise<void> {
  await clickRedeem(page, prize);
  await expect(page.getByTestId("redeem-success")).toBeVisible();
}

for (const size of SIZES) {
  test(`responsible gaming, identity, catalog redemption, approvals, regions and the regulator report (${size.name})`, async ({
    browser,
    request,
  }) => {
    const tag = `${size.name}-${randomUUID().slice(0, 6)}`;
    const cheap = `E2E token ${tag}`;
    const dear = `E2E console ${tag}`;
    await newPrize(cheap);
    await newPrize(dear);
    const account = await createPlayer(request, `catalog-${size.name}`);
    await grantSc(account.id, 200_000);

    const { context: playerContext, page } = await open(browser, size.viewport);
    const { context: adminContext, page: admin } = await open(browser, size.viewport);
    await signIn(page, account.email, account.password);
    await signIn(admin, ADMIN_EMAIL);

    await test.step("a limit is set, lowered at once, and a raise waits 24 hours", async () => {
      await page.goto("/account/responsible-gaming");
      const field = page.getByLabel("Sweeps Coins wagered, daily");
      const cell = page.getByTestId("limit-wager_sc.day");
      await field.fill("100.00");
      await page.getByRole("button", { name: "Save limits" }).click();
      await expect(cell).toContainText("In force: 100.00");
      await field.fill("50");
      await page.getByRole("button", { name: "Save limits" }).click();
      await expect(cell).toContainText("In force: 50.00");
      await field.fill("200.00");
      await page.getByRole("button", { name: "Save limits" }).click();
      await expect(cell.getByTestId("pending-limit")).toContainText("Rises to 200.00");
      await expect(cell).toContainText("In force: 50.00");
      await shot(page, `rg-limits-${size.name}`);
    });

    await test.step("the session reminder appears after the chosen minutes of play", async () => {
      const form = page.getByRole("form", { name: "Session reminder" });
      await form.getByRole("combobox").selectOption("15");
      await form.getByRole("button", { name: "Save reminder" }).click();
      await expect(form.getByRole("status")).toContainText("every 15 minutes");
      await page.clock.install();
      await page.goto("/catalog");
      await page.clock.fastForward("15:01");
      const reminder = page.getByRole("alertdialog", { name: "Session reminder" });
      await expect(reminder).toContainText("playing for 15 minutes");
      await shot(page, `rg-session-reminder-${size.name}`);
      await reminder.getByRole("button", { name: "Continue" }).click();
      await expect(reminder).toHaveCount(0);
    });

    await test.step("the admin puts two prizes on sale, one above the approval threshold", async () => {
      await putOnSale(admin, cheap, "60.00");
      await putOnSale(admin, dear, "600.00");
      await expect(admin.getByTestId("catalog-admin-item").filter({ hasText: dear })).toBeVisible();
      await shot(admin, `catalog-admin-${size.name}`);
    });

    await test.step("redeeming needs a declared identity", async () => {
      await clickRedeem(page, cheap);
      await expect(page.getByTestId("redeem-error")).toContainText("Declare your legal name");
      await page.goto("/account/identity");
      await declareIdentity(page, "Erin Example");
      await shot(page, `identity-${size.name}`);
    });

    await test.step("a catalog item is redeemed and its code shown", async () => {
      await page.goto("/catalog");
      await expect(page.getByTestId("redeemable-balance")).toContainText("2000.00");
      await shot(page, `catalog-${size.name}`);
      await redeem(page, cheap);
      await expect(page.getByTestId("redemption-code")).toHaveText(/-/);
      await expect(page.getByTestId("redemption-origin")).toContainText("60.00 SC");
      await shot(page, `catalog-redeemed-${size.name}`);
    });

    await test.step("two redemptions above the threshold wait; one is approved, one rejected", async () => {
      await redeem(page, dear);
      await expect(page.getByTestId("redemption-pending-approval")).toBeVisible();
      await shot(page, `catalog-pending-${size.name}`);
      await redeem(page, dear);
      await page.goto("/catalog");
      await expect(page.getByTestId("redeemable-balance")).toContainText("740.00");

      await admin.goto("/admin/catalog/approvals");
      const rows = admin.getByTestId("approval-row").filter({ hasText: account.email });
      await expect(rows).toHaveCount(2);
      await shot(admin, `approvals-${size.name}`);
      await rows.nth(0).getByRole("button", { name: "Approve" }).click();
      await expect(rows.nth(0).getByRole("status")).toContainText("Approved");
      await rows.nth(1).getByLabel("Reason").fill("Address could not be confirmed");
      await rows.nth(1).getByRole("button", { name: "Reject and refund" }).click();
      await expect(rows.nth(1).getByRole("status")).toContainText("600.00 SC refunded");
      await shot(admin, `approvals-reviewed-${size.name}`);

      await page.goto("/redemptions");
      await expect(page.getByTestId("redemption-rejected")).toContainText(
        "Address could not be confirmed",
      );
      await shot(page, `redemptions-${size.name}`);
      await page.goto("/catalog");
      await expect(page.getByTestId("redeemable-balance")).toContainText("1340.00");
    });

    await test.step("after a cool-off starts, a redemption is refused", async () => {
      await page.goto("/account/responsible-gaming");
      const form = page.getByRole("form", { name: "Take a break" });
      await form.getByLabel("Days of cool-off").fill("1");
      await form.getByRole("button", { name: "Start my break" }).click();
      await expect(form.getByText("Tick the box to confirm")).toBeVisible();
      await form.getByRole("checkbox").check();
      await form.getByRole("button", { name: "Start my break" }).click();
      await expect(page.getByTestId("exclusion-in-force")).toContainText("Cool-off in force");
      await shot(page, `rg-cool-off-${size.name}`);
      await clickRedeem(page, cheap);
      await expect(page.getByTestId("redeem-error")).toContainText("You are in a cool-off until");
      await shot(page, `catalog-refused-excluded-${size.name}`);
    });

    await test.step("a region closed to Sweeps Coins only is flagged on the regions page", async () => {
      await admin.goto("/admin/regions");
      const form = admin.getByRole("form", { name: "Exclude a region" });
      const code = size.name === "desktop" ? "MT" : "GI";
      await form.getByLabel("Region").selectOption(code);
      await form
        .getByLabel("Note (why; kept in the audit trail)")
        .fill("E2E: no sweepstakes licence");
      await form.getByLabel(/Sweeps Coins only/).check();
      await form.getByRole("button", { name: "Exclude region" }).click();
      await expect(form.getByRole("status")).toContainText("closed to Sweeps Coins");
      await expect(
        admin.getByTestId("excluded-region").filter({ hasText: `(${code})` }),
      ).toContainText("Sweeps Coins only");
      await shot(admin, `regions-sweeps-${size.name}`);
    });

    await test.step("the regulator report shows the day's SC and downloads as CSV", async () => {
      await admin.goto("/admin/reports/regulator");
      const us = admin.getByTestId("regulator-report").getByRole("row").filter({ hasText: "(US)" });
      await expect(us.first()).toBeVisible();
      await shot(admin, `regulator-report-${size.name}`);
      const href = await admin.getByTestId("regulator-csv").getAttribute("href");
      const csv = await admin.request.get(href ?? "");
      expect(csv.headers()["content-type"]).toContain("text/csv");
      expect(await csv.text()).toMatch(
        /^day,region,gc_sold,sc_granted,sc_wagered,sc_won,sc_redeemed\r\n/,
      );
    });

    await playerContext.close();
    await adminContext.close();
  });
}

for (const size of SIZES) {
  test(`a round's prize is held until the player declares an identity; the catalog shows where they stand (${size.name})`, async ({
    browser,
    request,
  }) => {
    const tag = `${size.name}-${randomUUID().slice(0, 6)}`;
    const prize = `E2E instant ${tag}`;
    await newPrize(prize);
    const account = await createPlayer(request, `instant-${size.name}`);
    await grantSc(account.id, 10_000);
    const { context: playerContext, page } = await open(browser, size.viewport);
    const { context: adminContext, page: admin } = await open(browser, size.viewport);
    await signIn(page, account.email, account.password);
    await signIn(admin, ADMIN_EMAIL);
    // This spec's item alone is offered while it runs; the others get their flag back after.
    const offered = await db.execute<{ id: string }>(sql`
      update catalog_items set instant_win = false where instant_win returning id`);

    try {
      await test.step("the admin cannot offer an item with no stock as the instant win", async () => {
        await admin.goto("/admin/catalog");
        const form = admin.getByRole("form", { name: "New catalog item" });
        await form.getByLabel("Prize").selectOption({ label: prize });
        await form.getByLabel("Price (SC)").fill("60.00");
        await form.getByLabel("Stock").fill("0");
        await form.getByLabel(/^Instant win/).check();
        await form.getByRole("button", { name: "Put on sale" }).click();
        await expect(
          form.getByText("An item with no stock cannot be the instant-win prize"),
        ).toBeVisible();
        await shot(admin, `catalog-instant-refused-${size.name}`);
        await form.getByLabel("Prize").selectOption({ label: prize });
        await form.getByLabel("Price (SC)").fill("60.00");
        await form.getByLabel("Stock").fill("3");
        await form.getByLabel(/^Instant win/).check();
        await form.getByRole("button", { name: "Put on sale" }).click();
        await expect(form.getByRole("status")).toHaveText("On sale");
      });

      await test.step("the catalog shows the player's own standing", async () => {
        await page.goto("/catalog");
        const readiness = page.getByTestId("redemption-readiness");
        await expect(readiness.getByTestId("readiness-identity")).toHaveAttribute(
          "data-done",
          "false",
        );
        await expect(readiness.getByTestId("readiness-identity")).toContainText(
          "Identity not declared",
        );
        await expect(readiness.getByTestId("readiness-email")).toHaveAttribute("data-done", "true");
        await expect(readiness.getByTestId("redeemable-balance")).toContainText("100.00");
        await shot(page, `catalog-readiness-undeclared-${size.name}`);
      });

      await test.step("a prize won in a round is held, saying what to do", async () => {
        await page.goto("/play");
        await expect(page.getByRole("heading", { name: "Play", exact: true })).toBeVisible();
        await rigPrizeTier(account.id);
        await page.getByLabel("Scratch card").check();
        await page.getByLabel(/Sweeps Coins/).check();
        await page.getByLabel("Stake (SC)").fill("1.00");
        await page.getByRole("button", { name: "Play Scratch card" }).click();
        const held = page.getByTestId("round-prize-held");
        await expect(held).toContainText("held until you have declared your identity");
        await shot(page, `play-prize-held-${size.name}`);
        await held.getByRole("link", { name: "your prize" }).click();
        await expect(page.getByRole("heading", { name: prize })).toBeVisible();
        const notice = page.getByTestId("redemption-held");
        await expect(notice).toContainText("You won this prize in a game round");
        await expect(page.getByTestId("redemption-code")).toHaveCount(0);
        await shot(page, `redemption-held-${size.name}`);
        await notice.getByRole("link", { name: "Declare your identity" }).click();
      });

      await test.step("declaring the identity releases the prize", async () => {
        await expect(page).toHaveURL(/\/account\/identity$/);
        await declareIdentity(page, "Ivy Instant");
        await page.goto("/redemptions");
        await page.getByRole("link", { name: prize }).click();
        await expect(page.getByTestId("redemption-code")).toHaveText(/\S/);
        await expect(page.getByTestId("redemption-origin")).toContainText("a game round");
        await shot(page, `redemption-released-${size.name}`);
        await page.goto("/catalog");
        const readiness = page.getByTestId("redemption-readiness");
        await expect(readiness.getByTestId("readiness-identity")).toHaveAttribute(
          "data-done",
          "true",
        );
        await expect(readiness.getByTestId("redeemable-balance")).toContainText("99.00");
        await shot(page, `catalog-readiness-declared-${size.name}`);
      });
    } finally {
      await db.execute(sql`
        update catalog_items set instant_win = true
        where id = any(${sql.param(offered.map((r) => r.id))}::uuid[])`);
    }
    await playerContext.close();
    await adminContext.close();
  });
}
