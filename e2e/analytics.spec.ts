import fs from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import {
  ADMIN_EMAIL,
  browserLocalInput,
  claimByApi,
  createPlayer,
  shot,
  signIn,
  UUID,
} from "./helpers";

/**
 * The journey: an admin sets up a gift card prize with a code pool and a drop in the
 * browser and keeps the live dashboard open; a player claims and, without a reload, the claim
 * and the drop's new remaining count appear; a reversal gives the unit back, also live. Then the
 * drop's report and its CSV.
 */

const UNITS = 3;
/** One code more than the drop's units: a reversed claim's code was shown, so its unit needs a fresh one. */
const CODES = UNITS + 1;

/** Marks the window: the mark survives only as long as the page is not reloaded. */
async function markNoReload(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(() => {
    (window as unknown as { e2eNoReload: boolean }).e2eNoReload = true;
  });
  return async () => {
    const kept = await page.evaluate(
      () => (window as unknown as { e2eNoReload?: boolean }).e2eNoReload,
    );
    expect(kept, "the dashboard was not reloaded").toBe(true);
  };
}

test.describe("live analytics", () => {
  test("the open dashboard shows a claim without a reload; a reversal of a shown code; the report and its CSV", async ({
    page,
    browser,
  }) => {
    const suffix = Date.now().toString(36);
    const prizeName = `Analytics Gift Card ${suffix}`;
    // A title a spreadsheet would run as a formula: the CSV must defuse it.
    const dropTitle = `=Analytics Drop ${suffix}`;
    await signIn(page, ADMIN_EMAIL);

    let prizeId = "";
    await test.step("the admin creates a gift card prize and imports its codes from a CSV", async () => {
      await page.goto("/admin/prizes");
      await page.getByLabel("Name").fill(prizeName);
      await page.getByLabel("Kind").selectOption("gift_card");
      await page.getByLabel("Value (USD)").fill("25");
      await page.getByLabel("Quantity").fill(String(CODES));
      await page.getByRole("button", { name: "Create prize" }).click();
      // The create leads to the new prize's page, which says so.
      await expect(page).toHaveURL(/\/admin\/prizes\/[0-9a-f-]{36}\?created=1$/);
      await expect(page.locator(".alert.success")).toContainText(prizeName);
      prizeId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
      expect(prizeId).toMatch(UUID);

      const csv = ["code", ...Array.from({ length: CODES }, (_, i) => `AN-${suffix}-${i}`)];
      await page.getByLabel("CSV file").setInputFiles({
        name: "codes.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(`${csv.join("\n")}\n`),
      });
      await page.getByRole("button", { name: "Import codes" }).click();
      await expect(page.getByTestId("accepted-count")).toHaveText(String(CODES));
    });

    let dropId = "";
    await test.step("and a drop of all its units, live from a minute ago", async () => {
      await page.goto("/admin/drops");
      const startsAt = page.getByLabel("Starts (your local time)");
      // The form fills its default window after hydration (and remounts): wait for it.
      await expect(startsAt).not.toHaveValue("");
      await page.getByLabel("Title").fill(dropTitle);
      const pool = page.getByTestId("pool-row").first();
      await pool.getByLabel("Prize").selectOption(prizeId);
      await pool.getByLabel("Units").fill(String(UNITS));
      const now = Date.now();
      await startsAt.fill(await browserLocalInput(page, now - 60_000));
      await page
        .getByLabel("Ends (your local time)")
        .fill(await browserLocalInput(page, now + 3_600_000));
      await page.getByRole("button", { name: "Create drop" }).click();
      await expect(page).toHaveURL(/\/admin\/drops\/[0-9a-f-]{36}\?created=1$/);
      await expect(page.locator(".alert.success")).toContainText(dropTitle);
      dropId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
      expect(dropId).toMatch(UUID);
    });

    const card = page.locator(`[data-testid="live-drop"][data-drop-id="${dropId}"]`);
    const remaining = card.getByTestId("live-drop-remaining");
    const claimedSlice = page.getByTestId("slice-claimed");
    let claimedBefore = 0;
    let notReloaded: () => Promise<void> = async () => {};

    await test.step("the dashboard opens with the drop in its burn-down and goes live", async () => {
      await page.goto("/admin/analytics");
      await expect(page.getByRole("heading", { name: "Live analytics" })).toBeVisible();
      await expect(page.getByTestId("live-status")).toHaveText("Live");
      await expect(remaining).toHaveText(String(UNITS));
      claimedBefore = Number(await claimedSlice.getAttribute("data-value"));
      notReloaded = await markNoReload(page);
    });

    await test.step("the stream is sent unbuffered and uncached", async () => {
      const headers = await page.evaluate(async () => {
        const abort = new AbortController();
        const res = await fetch("/api/v1/admin/analytics/stream", { signal: abort.signal });
        const picked = {
          status: res.status,
          type: res.headers.get("content-type"),
          cache: res.headers.get("cache-control"),
          accel: res.headers.get("x-accel-buffering"),
        };
        abort.abort();
        return picked;
      });
      expect(headers).toEqual({
        status: 200,
        type: "text/event-stream; charset=utf-8",
        cache: expect.stringContaining("no-transform"),
        accel: "no",
      });
    });

    let redemptionId = "";
    let claimedAt = 0;
    await test.step("a player claims; the open dashboard shows it without a reload", async () => {
      // The dashboard notes (on the browser's clock) when the drop's count first changes.
      await card.evaluate(
        (element, want) => {
          const seen = () => {
            const text = element.querySelector('[data-testid="live-drop-remaining"]')?.textContent;
            if (text === want)
              (window as unknown as { e2eUpdatedAt?: number }).e2eUpdatedAt ??= Date.now();
          };
          new MutationObserver(seen).observe(element, {
            subtree: true,
            childList: true,
            characterData: true,
          });
        },
        String(UNITS - 1),
      );
      const playerContext = await browser.newContext();
      try {
        const player = await createPlayer(playerContext.request, "analytics");
        const playerPage = await playerContext.newPage();
        await signIn(playerPage, player.email, player.password);
        await playerPage.goto(`/drops/${dropId}`);
        await playerPage.getByRole("button", { name: "Claim one unit" }).click();
        await expect(playerPage.getByTestId("claim-success")).toBeVisible();
        claimedAt = Date.now();
        const res = await playerPage.request.get("/api/v1/redemptions");
        const mine = (await res.json()) as { redemptions: Array<{ id: string }> };
        redemptionId = mine.redemptions[0]?.id ?? "";
        expect(redemptionId).toMatch(UUID);
      } finally {
        await playerContext.close();
      }
      await expect(remaining).toHaveText(String(UNITS - 1));
      // Reported, not asserted (timed asserts flake): the issue asks for under a second.
      const updatedAt = await page.evaluate(
        () => (window as unknown as { e2eUpdatedAt?: number }).e2eUpdatedAt ?? Number.NaN,
      );
      test.info().annotations.push({
        type: "claim to dashboard",
        description: `${updatedAt - claimedAt} ms after the player saw the claim succeed`,
      });
      // Other specs may claim at the same time: the mix grows by this claim at least.
      await expect
        .poll(async () => Number(await claimedSlice.getAttribute("data-value")))
        .toBeGreaterThan(claimedBefore);
      await expect(page.getByTestId("live-status")).toHaveText("Live");
      await notReloaded();
      await shot(page, "analytics-01-dashboard-after-claim");
    });

    // The code was shown at the claim: a reversal cannot take it back, so the unit stays given
    // (docs/delivery.md, "Reversed after it went out"), on the dashboard and in the report.
    await test.step("the admin reverses it; the shown code keeps its unit given", async () => {
      const adminTab = await page.context().newPage();
      try {
        await adminTab.goto(`/admin/redemptions?dropId=${dropId}`);
        const row = adminTab.getByTestId("redemption-row");
        await expect(row).toHaveCount(1);
        await row.getByRole("link", { name: "Details" }).click();
        await expect(adminTab).toHaveURL(new RegExp(`/admin/redemptions/${redemptionId}$`));
        await adminTab.getByLabel("Reason (shown to the player)").fill("Duplicate account");
        await adminTab.getByLabel("I confirm this reversal").check();
        await adminTab.getByRole("button", { name: "Reverse redemption" }).click();
        await expect(adminTab.getByRole("heading", { level: 1 })).toContainText("reversed");
        await expect(adminTab.getByTestId("reversal-prize")).toHaveAttribute("data-prize", "lost");
      } finally {
        await adminTab.close();
      }
      await expect(remaining).toHaveText(String(UNITS - 1));
      await notReloaded();
      await shot(page, "analytics-02-dashboard-after-reversal");
    });

    await test.step("the drop's report: one player, the reversal, every redemption anchored", async () => {
      await card.getByRole("link", { name: dropTitle }).click();
      await expect(page).toHaveURL(new RegExp(`/admin/drops/${dropId}/report$`));
      await expect(page.getByRole("heading", { level: 1, name: dropTitle })).toBeVisible();
      await expect(page.getByTestId("unique-players")).toHaveText("1");
      await expect(page.getByTestId("report-remaining")).toHaveText(String(UNITS - 1));
      // A unit given and none back, but two still available: not sold out.
      await expect(page.getByTestId("time-to-sell-out")).toHaveText("Not sold out");
      const delivery = page.getByTestId("delivery");
      await expect(delivery.locator('[data-key="reversed"]')).toContainText("1");
      // The anchoring worker covers the claim and its reversal within a batch interval.
      await expect(async () => {
        await page.reload();
        await expect(page.getByTestId("anchored-share")).toContainText("100%", { timeout: 1000 });
      }).toPass({ timeout: 60_000 });
      await shot(page, "analytics-03-drop-report");
    });

    await test.step("sold out once every unit is given; refusals in words", async () => {
      const others = [
        await createPlayer(page.request, "analytics-b"),
        await createPlayer(page.request, "analytics-c"),
      ];
      for (const player of others) {
        const res = await claimByApi(page.request, dropId, player);
        expect(res.status(), await res.text()).toBe(201);
      }
      const late = await claimByApi(
        page.request,
        dropId,
        await createPlayer(page.request, "analytics-late"),
      );
      expect(late.status()).toBe(409);
      const undeclared = await createPlayer(page.request, "analytics-undeclared", { region: null });
      expect((await claimByApi(page.request, dropId, undeclared)).status()).toBe(403);

      await page.reload();
      await expect(page.getByTestId("report-remaining")).toHaveText("0");
      await expect(page.getByTestId("time-to-sell-out")).not.toHaveText("Not sold out");
      await expect(page.getByTestId("time-to-sell-out")).toHaveText(/^\d+[smhd]/);
      const refusals = page.getByTestId("refusals");
      await expect(refusals.locator('[data-key="sold_out"]')).toContainText("Sold out");
      await expect(refusals.locator('[data-key="not_eligible:profile_incomplete"]')).toContainText(
        "Not eligible: region or age not declared",
      );
      // Words, never the codes themselves.
      await expect(refusals).not.toContainText("not_eligible");
      await expect(refusals).not.toContainText("sold_out");
      for (const [size, viewport] of [
        ["desktop", { width: 1280, height: 800 }],
        ["phone", { width: 390, height: 844 }],
      ] as const) {
        await page.setViewportSize(viewport);
        await shot(page, `analytics-03b-drop-report-sold-out-${size}`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });

      // The same words on the player's admin page and in the audit trail (with the code to filter).
      await page.goto(`/admin/accounts/${undeclared.id}`);
      await expect(page.getByTestId("attempt-row")).toContainText(
        "Not eligible: region or age not declared",
      );
      await page.goto(`/admin/audit?actor=${encodeURIComponent(undeclared.email)}&action=claim`);
      const audited = page.locator('[data-testid="audit-row"][data-action="claim"]');
      await expect(audited).toContainText("Not eligible: region or age not declared");
      await expect(audited).toContainText("not_eligible:profile_incomplete");
      await page.goto(`/admin/drops/${dropId}/report`);
    });

    await test.step("each section downloads as a CSV file of its own, formulas defused", async () => {
      const download = async (section: string) => {
        const [file] = await Promise.all([
          page.waitForEvent("download"),
          page.getByTestId(`export-csv-${section}`).click(),
        ]);
        expect(file.suggestedFilename()).toBe(`drop-report-${dropId}-${section}.csv`);
        return fs.readFileSync((await file.path()) as string, "utf8");
      };
      const summary = await download("summary");
      expect(summary.startsWith("field,value\r\n")).toBe(true);
      expect(summary).toContain(`drop_id,${dropId}\r\n`);
      expect(summary).toContain(`title,'${dropTitle}\r\n`);
      expect(summary).toContain("units_given,3\r\nsold_out,true\r\n");
      expect(summary).not.toContain("#");
      const refusals = await download("refusals");
      expect(refusals.split("\r\n")[0]).toBe("reason,count,label");
      expect(refusals).toContain("sold_out,1,Sold out\r\n");
      expect(refusals).toContain(
        "not_eligible:profile_incomplete,1,Not eligible: region or age not declared\r\n",
      );
      expect((await download("outcomes")).split("\r\n")[0]).toBe("outcome,count,label");

      // A section that does not exist, or one asked of the JSON answer, is refused in words.
      const report = `/api/v1/admin/drops/${dropId}/report`;
      const unknown = await page.request.get(`${report}?format=csv&section=everything`);
      expect(unknown.status()).toBe(400);
      expect(await unknown.json()).toMatchObject({
        error: {
          code: "invalid_input",
          field: "section",
          message: expect.stringContaining("summary"),
        },
      });
      const json = await page.request.get(`${report}?section=summary`);
      expect(json.status()).toBe(400);
      expect(await json.json()).toMatchObject({
        error: { message: "section: only with format=csv" },
      });
    });
  });

  test("the anchoring tile reports no missed deadline, at desktop and phone sizes", async ({
    page,
  }) => {
    await signIn(page, ADMIN_EMAIL);
    for (const [size, viewport] of [
      ["desktop", { width: 1280, height: 800 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      await test.step(`${size}: the figure is zero and calm; no list of late entries`, async () => {
        await page.setViewportSize(viewport);
        await page.goto("/admin/analytics");
        await expect(page.getByTestId("live-status")).toHaveText("Live");
        // A fresh stack with its chain node up keeps every promise: a non-zero figure is a bug.
        const tile = page.getByTestId("missed-deadlines");
        await expect(tile.getByTestId("missed-deadlines-count")).toHaveText("0");
        await expect(tile).toContainText("every receipt anchored on time");
        await expect(page.getByTestId("missed-deadlines-panel")).toHaveCount(0);
        await tile.scrollIntoViewIfNeeded();
        await shot(page, `analytics-04-missed-deadlines-${size}`);
      });
    }
  });
});
