import fs from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import {
  ADMIN_EMAIL,
  AUDITOR_EMAIL,
  createPlayer,
  findOpenDrop,
  LAUNCH_DROP,
  shot,
  signIn,
} from "./helpers";

const REASON = "E2E: chargebacks on three cards";

async function openAccount(admin: Page, email: string): Promise<void> {
  await admin.goto("/admin/accounts");
  await admin.getByLabel("Email or name").fill(email);
  await admin.getByRole("button", { name: "Search" }).click();
  const rows = admin.getByTestId("account-row");
  await expect(rows).toHaveCount(1);
  await rows.getByRole("link", { name: email }).click();
  await expect(admin.getByRole("heading", { name: email })).toBeVisible();
}

test.describe("admin account management", () => {
  test("an admin suspends a player with a reason; the player's claim is refused and explained; the audit trail and its CSV show the change", async ({
    browser,
    page: admin,
  }) => {
    const player = await createPlayer(admin.request, "suspendee");
    const other = await createPlayer(admin.request, "promotee");
    const playerContext = await browser.newContext();
    const playerPage = await playerContext.newPage();
    await signIn(playerPage, player.email, player.password);
    await signIn(admin, ADMIN_EMAIL);

    await test.step("the admin finds the player by part of the email", async () => {
      await admin.goto("/admin/accounts");
      await admin.getByLabel("Email or name").fill("suspendee-");
      await admin.getByLabel("Role").selectOption("player");
      await admin.getByRole("button", { name: "Search" }).click();
      await expect(admin.getByTestId("account-row").filter({ hasText: player.email })).toHaveCount(
        1,
      );
      await shot(admin, "admin-accounts-01-search");
      await openAccount(admin, player.email);
      await expect(admin.getByTestId("account-suspension")).toHaveText("no");
    });

    await test.step("suspending needs a reason and a confirmation", async () => {
      const form = admin.getByRole("form", { name: "Suspension" });
      await form.getByRole("button", { name: "Suspend account" }).click();
      await expect(form.getByText("Say why the account is suspended")).toBeVisible();
      await form.getByLabel("Reason for suspending").fill(REASON);
      await form.getByRole("button", { name: "Suspend account" }).click();
      await expect(form.getByText("Tick the box to confirm")).toBeVisible();
      await expect(admin.getByTestId("account-suspension")).toHaveText("no");
      await form.getByRole("checkbox").check();
      await form.getByRole("button", { name: "Suspend account" }).click();
      await expect(admin.getByTestId("account-suspension")).toContainText(REASON);
      await shot(admin, "admin-accounts-02-suspended");
    });

    await test.step("the suspension ended the player's session; signed in again, the claim is refused in words", async () => {
      await playerPage.goto("/");
      await expect(playerPage.getByTestId("signed-in-as")).toHaveCount(0);
      await signIn(playerPage, player.email, player.password);
      const drop = await findOpenDrop(playerPage.request, LAUNCH_DROP);
      if (!drop) throw new Error(`${LAUNCH_DROP} is not open`);
      await playerPage.goto(`/drops/${drop.id}`);
      await playerPage.getByRole("button", { name: "Claim one unit" }).click();
      const refusal = playerPage.getByTestId("claim-error");
      await expect(refusal).toHaveText(
        "You are not eligible for this drop: your account is suspended",
      );
      await expect(refusal).toHaveAttribute("data-code", "not_eligible:suspended");
      await shot(playerPage, "admin-accounts-03-claim-refused");
      await playerPage
        .getByRole("link", { name: "Your claim attempts and why they were refused" })
        .click();
      await expect(playerPage).toHaveURL(/\/account\/claims$/);
      const row = playerPage.getByTestId("attempt-row").first();
      await expect(row).toHaveAttribute("data-reason", "not_eligible:suspended");
      await expect(row).toContainText(LAUNCH_DROP);
      await expect(row).toContainText("your account is suspended");
      await shot(playerPage, "admin-accounts-04-attempts");

      const api = await playerPage.request.get("/api/v1/claim-attempts");
      expect(api.status()).toBe(200);
      const body = (await api.json()) as { attempts: Array<{ reason: string | null }> };
      expect(body.attempts.map((a) => a.reason)).toEqual(["not_eligible:suspended"]);
    });

    await test.step("the admin changes another account's role, and cannot change their own", async () => {
      await openAccount(admin, other.email);
      const form = admin.getByRole("form", { name: "Role" });
      await form.getByLabel("New role").selectOption("auditor");
      await form.getByRole("checkbox").check();
      await form.getByRole("button", { name: "Change role" }).click();
      await expect(admin.getByTestId("account-role")).toHaveText("auditor");
      await openAccount(admin, ADMIN_EMAIL);
      await expect(admin.getByRole("form", { name: "Role" })).toHaveCount(0);
      await expect(admin.getByText("This is your own account")).toBeVisible();
    });

    await test.step("the audit trail finds the suspension with before and after", async () => {
      await admin.goto("/admin");
      await admin.getByRole("link", { name: "Audit trail" }).click();
      await admin.getByLabel("Action").fill("account_suspend");
      await admin.getByLabel("Subject").fill(`user:${player.id}`);
      await admin.getByRole("button", { name: "Search" }).click();
      const rows = admin.getByTestId("audit-row");
      await expect(rows).toHaveCount(1);
      const diff = rows.getByTestId("change-diff");
      await expect(diff).toContainText("suspended: false → true");
      await expect(diff).toContainText(`suspendedReason: — → ${REASON}`);
      await expect(rows).toContainText(ADMIN_EMAIL);
      await shot(admin, "admin-accounts-05-audit");
    });

    await test.step("the CSV export of that filter downloads and holds the suspension", async () => {
      const [download] = await Promise.all([
        admin.waitForEvent("download"),
        admin.getByRole("link", { name: "Export CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^audit-events-.*\.csv$/);
      const csv = fs.readFileSync(await download.path(), "utf8");
      const lines = csv.trimEnd().split("\r\n");
      expect(lines[0]).toBe(
        "id,at,actor_id,actor_email,action,subject,outcome,reason,ip,user_agent,token_id,data",
      );
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(`,${ADMIN_EMAIL},account_suspend,user:${player.id},ok,`);
      expect(lines[1]).toContain(REASON);
    });

    await test.step("lifting the suspension is recorded too", async () => {
      await openAccount(admin, player.email);
      await admin
        .getByRole("form", { name: "Suspension" })
        .getByRole("button", { name: "Lift the suspension" })
        .click();
      await expect(admin.getByTestId("account-suspension")).toHaveText("no");
    });
    await playerContext.close();
  });

  test("an auditor reads and exports the audit trail but cannot manage accounts", async ({
    page,
  }) => {
    await signIn(page, AUDITOR_EMAIL);
    await page.getByRole("banner").getByRole("link", { name: "Audit trail" }).click();
    await page.getByLabel("Account (email or id)").fill(AUDITOR_EMAIL);
    await page.getByLabel("Action").fill("sign_in");
    await page.getByLabel("Outcome").selectOption("ok");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByTestId("audit-row").first()).toContainText(AUDITOR_EMAIL);
    await shot(page, "admin-accounts-06-auditor");

    const query = `actor=${encodeURIComponent(AUDITOR_EMAIL)}&action=sign_in`;
    const json = await page.request.get(`/api/v1/admin/audit-events?${query}&limit=1`);
    expect(json.status()).toBe(200);
    const body = (await json.json()) as { events: Array<{ action: string }> };
    expect(body.events.map((e) => e.action)).toEqual(["sign_in"]);
    const csv = await page.request.get(`/api/v1/admin/audit-events?${query}&format=csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
    expect(await csv.text()).toContain(`,${AUDITOR_EMAIL},sign_in,`);

    expect((await page.goto("/admin/accounts"))?.status()).toBe(403);
    const patch = await page.request.patch(
      "/api/v1/admin/accounts/00000000-0000-4000-8000-000000000000",
      { data: { role: "admin" } },
    );
    expect(patch.status()).toBe(403);
  });

  test("players cannot manage accounts or read the audit trail, and see only their own attempts", async ({
    page,
  }) => {
    const player = await createPlayer(page.request, "nosy");
    await signIn(page, player.email, player.password);
    const res = await page.request.get("/api/v1/admin/accounts");
    expect(res.status()).toBe(403);
    const audit = await page.request.get("/api/v1/admin/audit-events?format=csv");
    expect(audit.status()).toBe(403);
    const pageRes = await page.goto("/admin/accounts");
    expect(pageRes?.status()).toBe(403);
    const attempts = await page.request.get("/api/v1/claim-attempts");
    expect(((await attempts.json()) as { attempts: unknown[] }).attempts).toEqual([]);
  });
});
