import fs from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import {
  ADMIN_EMAIL,
  AUDITOR_EMAIL,
  apiToken,
  createPlayer,
  otherClientIp,
  shot,
  signIn,
  uniqueEmail,
} from "./helpers";

const REASON = "E2E: chargebacks on three cards";

// Two sizes: a desktop browser and a phone.
const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

/** The sign-in form refuses the suspended account, in words, and no session begins. */
async function expectSuspendedAtSignIn(
  page: Page,
  account: { email: string; password: string },
): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText(
    "This account is suspended: it cannot sign in.",
  );
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
}

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

    await test.step("the suspension ended the player's session, and sign-in says why it is refused", async () => {
      await playerPage.goto("/");
      await expect(playerPage.getByTestId("signed-in-as")).toHaveCount(0);
      await expectSuspendedAtSignIn(playerPage, player);
      await shot(playerPage, "admin-accounts-03-sign-in-refused");
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
        "id,at,actor_id,actor_email,action,subject,outcome,reason,ip,user_agent,token_id,request_id,data",
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

  for (const size of SIZES) {
    test(`suspension ends an open session and every token at once, for good (${size.name})`, async ({
      browser,
      request,
    }) => {
      const context = await browser.newContext({ viewport: size.viewport });
      const page = await context.newPage();
      const player = await createPlayer(request, `suspended-${size.name}`);
      const token = await apiToken(request, player.email, player.password);
      const asPlayer = { headers: { authorization: `Bearer ${token}` } };
      expect((await request.get("/api/v1/redemptions", asPlayer)).status()).toBe(200);
      await signIn(page, player.email, player.password);
      await page.goto("/account");
      await expect(page.getByRole("heading", { name: "Account" })).toBeVisible();

      const asAdmin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
      const suspend = (suspended: boolean) =>
        request.patch(`/api/v1/admin/accounts/${player.id}`, {
          headers: asAdmin,
          data: suspended ? { suspended, suspendedReason: REASON } : { suspended },
        });
      expect((await suspend(true)).status()).toBe(200);

      await test.step("the open page is signed out on its next request", async () => {
        await page.reload();
        await expect(page).toHaveURL(/\/signin\?next=\/account$/);
        await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
        await shot(page, `admin-accounts-07-session-ended-${size.name}`);
      });

      await test.step("the token is refused, and neither the form nor the API gives a new one", async () => {
        expect((await request.get("/api/v1/redemptions", asPlayer)).status()).toBe(401);
        await expectSuspendedAtSignIn(page, player);
        await shot(page, `admin-accounts-08-sign-in-refused-${size.name}`);
        const refused = await request.post("/api/v1/tokens", {
          data: { email: player.email, password: player.password },
        });
        expect(refused.status()).toBe(403);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
          "account_suspended",
        );
      });

      await test.step("lifting the suspension brings the old token back to nothing", async () => {
        expect((await suspend(false)).status()).toBe(200);
        expect((await request.get("/api/v1/redemptions", asPlayer)).status()).toBe(401);
        await signIn(page, player.email, player.password);
        await shot(page, `admin-accounts-09-signed-in-after-lifting-${size.name}`);
      });
      await context.close();
    });
  }

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

for (const size of SIZES) {
  test(`the request id a caller quotes finds its events in the audit trail (${size.name})`, async ({
    page,
    request,
  }) => {
    await page.setViewportSize(size.viewport);
    const signUp = await request.post("/api/v1/accounts", {
      headers: { "x-forwarded-for": otherClientIp() },
      data: {
        email: uniqueEmail(`quoted-${size.name}`),
        password: "correct horse battery",
        displayName: "E2E quoted",
        region: "US",
        adult: true,
      },
    });
    expect(signUp.status()).toBe(201);
    const requestId = signUp.headers()["x-request-id"] ?? "";
    expect(requestId).toMatch(/^[\w.-]{1,64}$/);

    await signIn(page, AUDITOR_EMAIL);
    await page.goto("/admin/audit");
    await page.getByLabel("Request id").fill(requestId);
    await page.getByRole("button", { name: "Search" }).click();
    const rows = page.getByTestId("audit-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-action", "sign_up");
    await expect(rows.first()).toContainText(requestId);
    await shot(page, `admin-accounts-10-request-id-${size.name}`);
  });
}
