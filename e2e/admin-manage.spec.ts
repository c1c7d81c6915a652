import { expect, type Page, test } from "@playwright/test";
import {
  ADMIN_EMAIL,
  apiToken,
  browserLocalInput,
  claimByApi,
  createPlayer,
  shot,
  signIn,
  UUID,
} from "./helpers";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** Screenshots of the page as it is, at desktop and then phone size (back to desktop after). */
async function shotBothSizes(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await shot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await shot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

/**
 * A create action leads to what it made, which says so: the id from the address it went to.
 * (`created=1` only asks for the confirmation; the page names the thing as stored.)
 */
async function createdId(page: Page, kind: "prizes" | "drops", said: string): Promise<string> {
  const at = new RegExp(`/admin/${kind}/(${UUID.source})\\?created=1$`);
  await expect(page).toHaveURL(at);
  await expect(page.getByTestId("created-notice")).toHaveText(said);
  return at.exec(page.url())?.[1] ?? "";
}

/** Fills the prize form at /admin/prizes and creates the prize. */
async function createPrizeInForm(
  page: Page,
  fields: { name: string; kind: string; value: string; quantity: string },
) {
  await page.goto("/admin/prizes");
  await page.getByLabel("Name").fill(fields.name);
  await page.getByLabel("Kind").selectOption(fields.kind);
  await page.getByLabel("Value (USD)").fill(fields.value);
  await page.getByLabel("Quantity").fill(fields.quantity);
}

/** The gift card's codes: every unit of both its drops below (4 + 2), and some to spare. */
const CODES = 8;

test.describe("admin manages prizes and drops", () => {
  test("token and gift-card prizes, a two-pool drop previewed and edited, a retirement, an early end", async ({
    page,
  }) => {
    const suffix = Date.now().toString(36);
    const tag = suffix.toUpperCase();
    const tokenName = `E2E Token ${suffix}`;
    const cardName = `E2E Card ${suffix}`;
    const dropTitle = `E2E Two Pools ${suffix}`;
    await signIn(page, ADMIN_EMAIL);

    await test.step("a crypto prize asks for its payout, then is created with it", async () => {
      await createPrizeInForm(page, {
        name: tokenName,
        kind: "crypto",
        value: "5",
        quantity: "10",
      });
      await page.getByRole("button", { name: "Create prize" }).click();
      await expect(page.getByText("A crypto prize needs the token amount")).toBeVisible();
      await page.getByLabel("Token amount per unit").fill("25");
      await page.getByLabel("Token symbol").fill("usdc");
      // The refused form kept what was typed: the name is still there.
      await expect(page.getByLabel("Name")).toHaveValue(tokenName);
      await page.getByRole("button", { name: "Create prize" }).click();
      await createdId(page, "prizes", `Prize “${tokenName}” created`);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(tokenName);
      await expect(page.locator(".lead")).toContainText("pays 25 USDC");
      await shotBothSizes(page, "manage-01-crypto-prize-created");
      await page.goto("/admin/prizes");
      const row = page.getByTestId("admin-prize-row").filter({ hasText: tokenName });
      await expect(row).toContainText("Crypto token (25 USDC)");
    });

    const cardId =
      await test.step("a gift-card prize gets a code pool; the report shows what was refused", async () => {
        await createPrizeInForm(page, {
          name: cardName,
          kind: "gift_card",
          value: "20",
          quantity: "10",
        });
        await page.getByRole("button", { name: "Create prize" }).click();
        const id = await createdId(page, "prizes", `Prize “${cardName}” created`);
        // Enough codes for every unit the drops below put on this prize.
        const codes = Array.from({ length: CODES }, (_, i) => `GC-${tag}-${1001 + i}`);
        await page
          .getByLabel("Or paste codes, one a line")
          .fill(["code", ...codes, codes[0], "bad code!"].join("\n"));
        await page.getByRole("button", { name: "Import codes" }).click();
        const report = page.getByTestId("code-import-report");
        await expect(report.getByTestId("accepted-count")).toHaveText(String(CODES));
        await expect(report).toContainText(`${CODES} of ${CODES + 2} codes imported; 2 rejected`);
        const rows = report.getByTestId("rejected-row");
        await expect(rows).toHaveCount(2);
        await expect(rows.nth(0)).toContainText("Repeats line 2 of this file");
        await expect(rows.nth(1)).toContainText("Only letters, digits and dashes are allowed");
        // The inventory is polled: the pool's count arrives without a reload.
        await expect(page.getByTestId("code-pool-unused")).toHaveText(String(CODES));
        await shot(page, "manage-02-code-import-report");
        return id;
      });

    let dropId = "";
    await test.step("a drop with two pools, one reserved for gold, is previewed and created", async () => {
      await page.goto("/admin/drops");
      const startsAt = page.getByLabel("Starts (your local time)");
      await expect(startsAt).not.toHaveValue("");
      await page.getByLabel("Title").fill(dropTitle);
      await page
        .getByLabel("Description shown to players")
        .fill("Two kinds of prize, one for gold.");
      const pools = page.getByTestId("pool-row");
      await pools
        .nth(0)
        .getByLabel("Prize")
        .selectOption({ label: `${cardName} (10 unallocated)` });
      await pools.nth(0).getByLabel("Units").fill("3");
      await page.getByRole("button", { name: "Add pool" }).click();
      await pools
        .nth(1)
        .getByLabel("Prize")
        .selectOption({ label: `${tokenName} (10 unallocated)` });
      await pools.nth(1).getByLabel("Units").fill("2");
      await pools.nth(1).getByLabel("For").selectOption("gold");
      const now = Date.now();
      await startsAt.fill(await browserLocalInput(page, now + 3_600_000));
      await page
        .getByLabel("Ends (your local time)")
        .fill(await browserLocalInput(page, now + 7_200_000));
      await page.getByRole("button", { name: "Preview" }).click();
      const preview = page.getByTestId("drop-preview");
      await expect(preview).toContainText("Preview");
      await expect(preview.getByRole("heading", { name: dropTitle })).toBeVisible();
      await expect(preview.getByTestId("drop-pools")).toContainText(
        `2 × ${tokenName} (25 USDC) (reserved for gold and above)`,
      );
      await expect(preview).toContainText("5 units");
      await shot(page, "manage-03-drop-preview");
      // An end before the start is refused beside the field; nothing typed is lost.
      const endsAt = page.getByLabel("Ends (your local time)");
      const goodEnd = await endsAt.inputValue();
      await endsAt.fill(await browserLocalInput(page, now + 1_800_000));
      await page.getByRole("button", { name: "Create drop" }).click();
      await expect(page.getByText("End must be after start")).toBeVisible();
      await expect(page).toHaveURL(/\/admin\/drops$/);
      await expect(page.getByLabel("Title")).toHaveValue(dropTitle);
      await expect(pools).toHaveCount(2);
      await expect(pools.nth(1).getByLabel("Units")).toHaveValue("2");
      await shot(page, "manage-03-drop-refused");
      await endsAt.fill(goodEnd);
      await page.getByRole("button", { name: "Create drop" }).click();
      dropId = await createdId(page, "drops", `Drop “${dropTitle}” created`);
      await expect(page.getByTestId("admin-drop-status")).toHaveText("upcoming");
      await shotBothSizes(page, "manage-03-drop-created");
    });

    await test.step("before its start the drop is edited; the saved draft shows the change", async () => {
      await page.goto(`/admin/drops/${dropId}`);
      await expect(page.getByTestId("admin-drop-status")).toHaveText("upcoming");
      // Its gift-card pool: codes against the units drops still give from it.
      const pool = page.getByTestId("code-pool-row");
      await expect(pool).toHaveCount(1);
      await expect(pool.getByTestId("codes-unused")).toHaveText(String(CODES));
      await expect(pool.getByTestId("codes-units-here")).toHaveText("3");
      const title = page.getByLabel("Title");
      await expect(title).toHaveValue(dropTitle);
      await expect(page.getByTestId("pool-row")).toHaveCount(2);
      await title.fill(`${dropTitle} (edited)`);
      await page.getByTestId("pool-row").nth(0).getByLabel("Units").fill("4");
      await page.getByRole("button", { name: "Save changes" }).click();
      await expect(page.locator(".alert.success")).toHaveText("Saved");
      const saved = page.getByTestId("drop-preview");
      await expect(saved.getByRole("heading", { name: `${dropTitle} (edited)` })).toBeVisible();
      await expect(saved).toContainText("6 units");
      await shot(page, "manage-04-drop-edited");
    });

    await test.step("a retired prize leaves the drop form's choices and is listed apart", async () => {
      await page.goto("/admin/prizes");
      await page
        .getByTestId("admin-prize-row")
        .filter({ hasText: tokenName })
        .getByRole("link", { name: tokenName })
        .click();
      await page.getByRole("button", { name: "Retire prize" }).click();
      await expect(page.getByTestId("retired-badge")).toBeVisible();
      await shot(page, "manage-05-prize-retired");
      await page.goto("/admin/drops");
      await expect(
        page.locator('select[name="poolPrizeId"] option', { hasText: cardName }),
      ).toHaveCount(1);
      await expect(
        page.locator('select[name="poolPrizeId"] option', { hasText: tokenName }),
      ).toHaveCount(0);
      await page.goto("/admin/prizes");
      await expect(
        page.getByTestId("admin-retired-prize-row").filter({ hasText: tokenName }),
      ).toBeVisible();
      await expect(page.getByTestId("admin-prize-row").filter({ hasText: tokenName })).toHaveCount(
        0,
      );
    });

    const token = await apiToken(page.request, ADMIN_EMAIL);
    const auth = { authorization: `Bearer ${token}` };
    const liveTitle = `E2E End Early ${suffix}`;
    let liveId = "";
    await test.step("a live drop refuses edits; its page shows its stock, codes and no redemption yet", async () => {
      const created = await page.request.post("/api/v1/admin/drops", {
        headers: auth,
        data: {
          title: liveTitle,
          prizeId: cardId,
          units: 2,
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      expect(created.status(), await created.text()).toBe(201);
      liveId = ((await created.json()) as { id: string }).id;
      const refused = await page.request.patch(`/api/v1/admin/drops/${liveId}`, {
        headers: auth,
        data: { title: "Too late" },
      });
      expect(refused.status()).toBe(409);
      expect(await refused.json()).toMatchObject({ error: { code: "drop_started" } });

      await page.goto(`/admin/drops/${liveId}`);
      await expect(page.getByTestId("admin-drop-status")).toHaveText("live");
      await expect(page.getByTestId("admin-drop-claimed")).toHaveText("0");
      await expect(page.getByTestId("admin-drop-remaining")).toHaveText("2");
      const pool = page.getByTestId("code-pool-row");
      await expect(pool.getByTestId("codes-unused")).toHaveText(String(CODES));
      await expect(pool.getByTestId("codes-units-here")).toHaveText("2");
      // The upcoming two-pool drop still gives 4 of the card from the same pool.
      await expect(pool.getByTestId("codes-units-elsewhere")).toHaveText("4");
      await expect(page.getByTestId("codes-short")).toHaveCount(0);
      await expect(page.getByTestId("drop-redemptions")).toContainText("No redemption yet.");
    });

    await test.step("without a reload it follows a claim, and a pause and resume made elsewhere", async () => {
      await page.evaluate(() => {
        (window as unknown as { e2eNoReload: boolean }).e2eNoReload = true;
      });
      const player = await createPlayer(page.request, "manage-live");
      const claimed = await claimByApi(page.request, liveId, player);
      expect(claimed.status(), await claimed.text()).toBe(201);
      const redemptionId = ((await claimed.json()) as { redemption: { id: string } }).redemption.id;
      await expect(page.getByTestId("admin-drop-claimed")).toHaveText("1");
      await expect(page.getByTestId("admin-drop-remaining")).toHaveText("1");
      const pool = page.getByTestId("code-pool-row");
      await expect(pool.getByTestId("codes-unused")).toHaveText(String(CODES - 1));
      await expect(pool.getByTestId("codes-units-here")).toHaveText("1");
      const row = page.getByTestId("drop-redemption-row");
      await expect(row).toHaveCount(1);
      await expect(row).toHaveAttribute("data-redemption-id", redemptionId);
      await expect(row).toContainText(player.email);

      const pause = (paused: boolean) =>
        page.request.patch(`/api/v1/admin/drops/${liveId}`, { headers: auth, data: { paused } });
      expect((await pause(true)).status()).toBe(200);
      await expect(page.getByTestId("admin-drop-status")).toHaveText("paused");
      await expect(page.getByTestId("pause-toggle")).toHaveText("Resume");
      await shotBothSizes(page, "manage-06-live-drop-paused-elsewhere");
      expect((await pause(false)).status()).toBe(200);
      await expect(page.getByTestId("admin-drop-status")).toHaveText("live");
      await expect(page.getByTestId("pause-toggle")).toHaveText("Pause");
      expect(
        await page.evaluate(() => (window as unknown as { e2eNoReload?: boolean }).e2eNoReload),
      ).toBe(true);

      await row.getByRole("link").click();
      await expect(page).toHaveURL(new RegExp(`/admin/redemptions/${redemptionId}$`));
      await page.goBack();
      await page.getByTestId("drop-report-link").click();
      await expect(page).toHaveURL(new RegExp(`/admin/drops/${liveId}/report$`));
      await expect(page.getByTestId("time-to-sell-out")).toHaveText("Not sold out");
    });

    await test.step("ended early with the form; another tab follows; players see it ended", async () => {
      const watching = await page.context().newPage();
      await watching.goto(`/admin/drops/${liveId}`);
      await expect(watching.getByTestId("admin-drop-status")).toHaveText("live");

      await page.goto(`/admin/drops/${liveId}`);
      const form = page.getByTestId("drop-end-early");
      await form.getByRole("button", { name: "End drop early" }).click();
      await expect(form.getByText("Tick the box to confirm")).toBeVisible();
      await form.getByLabel("Yes, end this drop now").check();
      await shot(page, "manage-07-end-early-confirm");
      await form.getByRole("button", { name: "End drop early" }).click();
      await expect(page.getByTestId("admin-drop-status")).toHaveText("ended");

      // The other tab was not reloaded: its badge and controls follow by themselves.
      await expect(watching.getByTestId("admin-drop-status")).toHaveText("ended");
      await expect(
        watching.getByText("This drop has ended; it can no longer be changed."),
      ).toBeVisible();
      await expect(watching.getByTestId("pause-toggle")).toHaveCount(0);
      await expect(watching.getByTestId("drop-redemption-row")).toHaveCount(1);
      await shotBothSizes(watching, "manage-08-ended-in-another-tab");
      await watching.close();

      await page.goto(`/drops/${liveId}`);
      await expect(page.getByTestId("drop-status")).toHaveText("ended");
      await expect(page.getByTestId("ended-early")).toBeVisible();
      await expect(page.getByRole("button", { name: "Drop ended" })).toBeDisabled();
      await shot(page, "manage-09-player-sees-ended");
    });
  });
});
