import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import {
  ADMIN_EMAIL,
  apiToken,
  browserLocalInput,
  createPlayer,
  shot,
  signIn,
  signOut,
  uniqueEmail,
  verifyEmailViaApi,
} from "./helpers";

/** A gift-card-free prize and a first-come drop of it, open now, through the admin API. */
async function createOpenDrop(request: APIRequestContext, token: string, title: string) {
  const headers = { authorization: `Bearer ${token}` };
  const prize = await request.post("/api/v1/admin/prizes", {
    headers,
    data: { name: `${title} prize`, kind: "crypto", value: 5, quantity: 5 },
  });
  expect(prize.status(), await prize.text()).toBe(201);
  const prizeId = ((await prize.json()) as { id: string }).id;
  const drop = await request.post("/api/v1/admin/drops", {
    headers,
    data: {
      title,
      prizeId,
      units: 5,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(drop.status(), await drop.text()).toBe(201);
  return ((await drop.json()) as { id: string }).id;
}

async function claim(page: Page, dropId: string) {
  await page.goto(`/drops/${dropId}`);
  await page.getByRole("button", { name: "Claim one unit" }).click();
}

test.describe("who may claim", () => {
  test("an excluded region is refused in words on the drop page", async ({
    page,
    browser,
    request,
  }) => {
    const token = await apiToken(request, ADMIN_EMAIL);
    const dropId = await createOpenDrop(
      request,
      token,
      `E2E Region Drop ${Date.now().toString(36)}`,
    );

    await test.step("the admin excludes Cuba with a note", async () => {
      await signIn(page, ADMIN_EMAIL);
      await page.goto("/admin/regions");
      await page.getByRole("combobox", { name: /^Region/ }).selectOption("CU");
      await page.getByLabel("Note (why; kept in the audit trail)").fill("E2E: not licensed there");
      await page.getByRole("button", { name: "Exclude region" }).click();
      await expect(
        page.getByRole("status").filter({ hasText: "Cuba (CU) is excluded" }),
      ).toBeVisible();
      await expect(page.getByTestId("excluded-region").filter({ hasText: "Cuba" })).toContainText(
        "E2E: not licensed there",
      );
      await shot(page, "eligibility-01-region-excluded");
    });

    await test.step("a player who declared Cuba sees why the claim is refused", async () => {
      const email = uniqueEmail("cuba");
      const password = "correct horse battery";
      const res = await request.post("/api/v1/accounts", {
        data: { email, password, displayName: "E2E Cuba", region: "CU", adult: true },
      });
      expect(res.status(), await res.text()).toBe(201);
      await verifyEmailViaApi(request, email);
      const player = await (await browser.newContext()).newPage();
      await signIn(player, email, password);
      await claim(player, dropId);
      await expect(player.getByTestId("claim-error")).toHaveText(
        "You are not eligible for this drop: this drop is not open in your region",
      );
      await expect(player.getByTestId("claim-error")).toHaveAttribute(
        "data-code",
        "not_eligible:region",
      );
      await shot(player, "eligibility-02-region-refused");
      await player.context().close();
    });

    await test.step("the admin opens the region again, with a note", async () => {
      const row = page.getByTestId("excluded-region").filter({ hasText: "Cuba" });
      await row.getByLabel("Note").fill("E2E: licence granted");
      await row.getByRole("button", { name: "Remove" }).click();
      await expect(page.getByTestId("excluded-region").filter({ hasText: "Cuba" })).toHaveCount(0);
      await expect(page.getByRole("status")).toHaveText("Cuba (CU) is open again");
      await shot(page, "eligibility-03-region-open-again");
    });
  });

  test("a drop with one claim per linked-account group refuses a second account from the same browser", async ({
    page,
    browser,
    request,
  }) => {
    const title = `E2E One Per Group ${Date.now().toString(36)}`;
    const token = await apiToken(request, ADMIN_EMAIL);
    const prize = await request.post("/api/v1/admin/prizes", {
      headers: { authorization: `Bearer ${token}` },
      data: { name: `${title} prize`, kind: "crypto", value: 5, quantity: 5 },
    });
    expect(prize.status()).toBe(201);
    const prizeName = `${title} prize`;

    await test.step("the admin creates the drop with the rule ticked", async () => {
      await signIn(page, ADMIN_EMAIL);
      await page.goto("/admin/drops");
      await page.getByLabel("Title").fill(title);
      const labels = await page.getByLabel("Prize").locator("option").allTextContents();
      await page
        .getByLabel("Prize")
        .selectOption({ label: labels.find((l) => l.startsWith(prizeName)) ?? prizeName });
      await page.getByLabel("Units", { exact: true }).fill("5");
      const now = Date.now();
      await page
        .getByLabel("Starts (your local time)")
        .fill(await browserLocalInput(page, now - 60_000));
      await page
        .getByLabel("Ends (your local time)")
        .fill(await browserLocalInput(page, now + 3_600_000));
      await page.getByLabel("One claim per linked-account group").check();
      await shot(page, "eligibility-04-drop-form-one-per-group");
      await page.getByRole("button", { name: "Create drop" }).click();
      await expect(page.locator(".alert.success")).toBeVisible();
    });
    const drops = (await (await request.get("/api/v1/drops")).json()) as {
      drops: Array<{ id: string; title: string }>;
    };
    const dropId = drops.drops.find((d) => d.title === title)?.id as string;
    expect(dropId).toBeTruthy();

    // Two fresh accounts, used one after the other in one browser: same device cookie.
    const first = await createPlayer(request, "linked-first");
    const second = await createPlayer(request, "linked-second");
    const shared = await (await browser.newContext()).newPage();

    await test.step("the first account claims", async () => {
      await signIn(shared, first.email, first.password);
      await claim(shared, dropId);
      await expect(shared.getByTestId("claim-success")).toBeVisible();
      await signOut(shared);
    });

    await test.step("the second account, in the same browser, is refused as a linked account", async () => {
      await signIn(shared, second.email, second.password);
      await shared.goto(`/drops/${dropId}`);
      await expect(shared.getByTestId("eligibility")).toContainText(
        "one claim per group of linked accounts",
      );
      await shared.getByRole("button", { name: "Claim one unit" }).click();
      await expect(shared.getByTestId("claim-error")).toContainText("linked account");
      await expect(shared.getByTestId("claim-error")).toHaveAttribute(
        "data-code",
        "not_eligible:linked_account",
      );
      await shot(shared, "eligibility-05-linked-account-refused");
    });

    await test.step("both accounts are flagged for an admin", async () => {
      for (const account of [first, second]) {
        const res = await request.get(`/api/v1/admin/accounts/${account.id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status()).toBe(200);
        expect(await res.json()).toMatchObject({
          flagged: true,
          flaggedReason: expect.stringMatching(/Linked accounts claimed drop/),
        });
      }
      await page.goto(`/admin/accounts/${second.id}`);
      await shot(page, "eligibility-06-linked-account-flagged");
    });
  });
});
