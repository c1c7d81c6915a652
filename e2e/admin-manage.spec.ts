import { expect, type Page, test } from "@playwright/test";
import { ADMIN_EMAIL, apiToken, browserLocalInput, shot, signIn, UUID } from "./helpers";

async function prizeIdByName(page: Page, name: string): Promise<string> {
  const res = await page.request.get("/api/v1/admin/prizes");
  const prizes = ((await res.json()) as { prizes: Array<{ id: string; name: string }> }).prizes;
  const id = prizes.find((p) => p.name === name)?.id ?? "";
  expect(id).toMatch(UUID);
  return id;
}

async function dropIdByTitle(page: Page, title: string): Promise<string> {
  const res = await page.request.get("/api/v1/admin/drops");
  const drops = ((await res.json()) as { drops: Array<{ id: string; title: string }> }).drops;
  const id = drops.find((d) => d.title === title)?.id ?? "";
  expect(id).toMatch(UUID);
  return id;
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
      await page.getByRole("button", { name: "Create prize" }).click();
      await expect(page.locator(".alert.success")).toHaveText(`Prize “${tokenName}” created`);
      const row = page.getByTestId("admin-prize-row").filter({ hasText: tokenName });
      await expect(row).toContainText("Crypto token (25 USDC)");
      await shot(page, "manage-01-crypto-prize");
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
        await expect(page.locator(".alert.success")).toHaveText(`Prize “${cardName}” created`);
        const id = await prizeIdByName(page, cardName);
        await page.goto(`/admin/prizes/${id}`);
        await page
          .getByLabel("Or paste codes, one a line")
          .fill(
            ["code", `GC-${tag}-0001`, `GC-${tag}-0002`, `GC-${tag}-0001`, "bad code!"].join("\n"),
          );
        await page.getByRole("button", { name: "Import codes" }).click();
        const report = page.getByTestId("code-import-report");
        await expect(report.getByTestId("accepted-count")).toHaveText("2");
        await expect(report).toContainText("2 of 4 codes imported; 2 rejected");
        const rows = report.getByTestId("rejected-row");
        await expect(rows).toHaveCount(2);
        await expect(rows.nth(0)).toContainText("Repeats line 2 of this file");
        await expect(rows.nth(1)).toContainText("Only letters, digits and dashes are allowed");
        // The inventory is polled: the pool's count arrives without a reload.
        await expect(page.getByTestId("code-pool-unused")).toHaveText("2");
        await shot(page, "manage-02-code-import-report");
        return id;
      });

    // A drop takes no more units than its pool has codes: four more for the drops below.
    const topUp = await page.request.post(`/api/v1/admin/prizes/${cardId}/codes`, {
      headers: { authorization: `Bearer ${await apiToken(page.request, ADMIN_EMAIL)}` },
      data: { csv: ["code", ...[3, 4, 5, 6].map((n) => `GC-${tag}-000${n}`)].join("\n") },
    });
    expect(topUp.status(), await topUp.text()).toBe(201);

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
      await page.getByRole("button", { name: "Create drop" }).click();
      await expect(page.locator(".alert.success")).toHaveText(`Drop “${dropTitle}” created`);
      dropId = await dropIdByTitle(page, dropTitle);
    });

    await test.step("before its start the drop is edited; the saved draft shows the change", async () => {
      await page.goto(`/admin/drops/${dropId}`);
      await expect(page.getByTestId("admin-drop-status")).toHaveText("upcoming");
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
      const tokenId = await prizeIdByName(page, tokenName);
      await page.goto(`/admin/prizes/${tokenId}`);
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

    await test.step("a live drop is ended early; players see it ended and started drops refuse edits", async () => {
      const token = await apiToken(page.request, ADMIN_EMAIL);
      const auth = { authorization: `Bearer ${token}` };
      const liveTitle = `E2E End Early ${suffix}`;
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
      const liveId = ((await created.json()) as { id: string }).id;
      const refused = await page.request.patch(`/api/v1/admin/drops/${liveId}`, {
        headers: auth,
        data: { title: "Too late" },
      });
      expect(refused.status()).toBe(409);
      expect(await refused.json()).toMatchObject({ error: { code: "drop_started" } });

      await page.goto(`/admin/drops/${liveId}`);
      const form = page.getByTestId("drop-end-early");
      await form.getByRole("button", { name: "End drop early" }).click();
      await expect(form.getByText("Tick the box to confirm")).toBeVisible();
      await form.getByLabel("Yes, end this drop now").check();
      await shot(page, "manage-06-end-early-confirm");
      await form.getByRole("button", { name: "End drop early" }).click();
      await expect(page.getByTestId("admin-drop-status")).toHaveText("ended");

      await page.goto(`/drops/${liveId}`);
      await expect(page.getByTestId("drop-status")).toHaveText("ended");
      await expect(page.getByTestId("ended-early")).toBeVisible();
      await expect(page.getByRole("button", { name: "Drop ended" })).toBeDisabled();
      await shot(page, "manage-07-player-sees-ended");
    });
  });
});
