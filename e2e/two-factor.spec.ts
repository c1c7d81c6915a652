import { randomInt } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { BASE_URL } from "./constants";
import {
  ADMIN_EMAIL,
  apiToken,
  createPlayer,
  nextTotpCode,
  rememberTotpSecret,
  shot,
  signIn,
  signOut,
} from "./helpers";

// This file signs in from an address of its own (the app reads the first X-Forwarded-For hop), so
// the per-address sign-in limit counts only its attempts, not the other specs'.
test.use({
  extraHTTPHeaders: { "x-forwarded-for": `198.51.100.${randomInt(1, 255)}` },
});

// Scoped to the form: Next's route announcer is an alert too.
const formAlert = (page: Page) => page.locator("form").getByRole("alert");
const signInButton = (page: Page) => page.getByRole("button", { name: "Sign in" });

/** Submits the sign-in form as it stands and waits for the server's answer. */
async function submitSignIn(page: Page): Promise<void> {
  const answered = page.waitForResponse((r) => r.request().method() === "POST");
  await signInButton(page).click();
  await answered;
}

async function fillCredentials(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
}

test.describe("two-factor, sessions and API tokens", () => {
  test("a player turns on two-factor; sign-in then asks for a code, and a recovery code works once", async ({
    page,
    request,
  }) => {
    const player = await createPlayer(request, "twofactor");
    await signIn(page, player.email, player.password);

    let recoveryCodes: string[] = [];
    await test.step("enrol from the account page", async () => {
      await page.getByRole("banner").getByRole("link", { name: "Account" }).click();
      await page.getByRole("link", { name: "Set up two-factor" }).click();
      await page.getByRole("button", { name: "Set up two-factor" }).click();
      await expect(page.getByAltText("QR code of the two-factor secret")).toBeVisible();
      const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
      expect(secret.replace(/\s/g, "")).toMatch(/^[A-Z2-7]{32}$/);
      rememberTotpSecret(player.email, secret);
      await shot(page, "two-factor-01-enrol");

      await page.getByLabel("Code from the app").fill("000000");
      await page.getByRole("button", { name: "Turn on two-factor" }).click();
      await expect(page.locator(".alert.error")).toContainText("did not match");

      await page.getByLabel("Code from the app").fill((await nextTotpCode(player.email)) ?? "");
      await page.getByRole("button", { name: "Turn on two-factor" }).click();
      const codes = page.getByTestId("recovery-codes");
      await expect(codes).toContainText("Two-factor authentication is on");
      recoveryCodes = await codes.locator("li").allTextContents();
      expect(recoveryCodes).toHaveLength(10);
      await shot(page, "two-factor-02-recovery-codes");
      await page.getByRole("link", { name: "I have saved them" }).click();
      await expect(page.getByRole("heading", { name: "Account" })).toBeVisible();
      await expect(page.getByText("Manage two-factor")).toBeVisible();
    });
    await signOut(page);

    await test.step("sign-in asks for the code and refuses a wrong one", async () => {
      await fillCredentials(page, player.email, player.password);
      await submitSignIn(page);
      const codeField = page.getByLabel("Authentication code");
      await expect(codeField).toBeVisible();
      await expect(formAlert(page)).toContainText("Enter the 6-digit code");
      await shot(page, "two-factor-03-code-asked");
      // Email and password stay filled in: only the code is typed.
      await codeField.fill("000000");
      await submitSignIn(page);
      await expect(formAlert(page)).toContainText("That authentication code did not work");
      await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
      await shot(page, "two-factor-04-code-refused");
      await codeField.fill((await nextTotpCode(player.email)) ?? "");
      await submitSignIn(page);
      await expect(page.getByTestId("signed-in-as")).toBeVisible();
    });
    await signOut(page);

    await test.step("a recovery code signs in once", async () => {
      const [recovery = ""] = recoveryCodes;
      for (const expected of ["signed in", "refused"]) {
        await fillCredentials(page, player.email, player.password);
        await submitSignIn(page);
        await page.getByLabel("Authentication code").fill(recovery);
        await submitSignIn(page);
        if (expected === "signed in") {
          await expect(page.getByTestId("signed-in-as")).toBeVisible();
          await page.goto("/account/security");
          await expect(page.getByText("9 of 10 recovery codes left")).toBeVisible();
          await signOut(page);
        } else {
          await expect(formAlert(page)).toContainText("did not work");
          await shot(page, "two-factor-05-recovery-code-spent");
        }
      }
    });
  });

  test("sign out of all sessions ends the session in another browser", async ({
    browser,
    request,
  }) => {
    const player = await createPlayer(request, "sessions");
    const laptop = await browser.newPage();
    const phone = await browser.newPage();
    await signIn(laptop, player.email, player.password);
    await signIn(phone, player.email, player.password);

    // Auth.js's session cookie: out of scripts' reach and not sent on cross-site subrequests (it
    // is also Secure, under a __Secure- name, when the site is served over https).
    const cookies = await laptop.context().cookies();
    expect(cookies.find((c) => c.name === "authjs.session-token")).toMatchObject({
      httpOnly: true,
      sameSite: "Lax",
      path: "/",
    });

    await laptop.goto("/account");
    await laptop.getByRole("button", { name: "Sign out of all sessions" }).click();
    await expect(laptop).toHaveURL(/\/signin/);
    await expect(laptop.getByTestId("signed-in-as")).toHaveCount(0);

    await phone.goto("/account");
    await expect(phone).toHaveURL(/\/signin\?next=\/account$/);
    await expect(phone.getByTestId("signed-in-as")).toHaveCount(0);
    await shot(phone, "two-factor-06-other-session-ended");

    // Signing in again works as usual.
    await signIn(phone, player.email, player.password);
    await laptop.close();
    await phone.close();
  });

  test("an API token made on the account page works until revoked", async ({ page, request }) => {
    const player = await createPlayer(request, "tokens");
    await signIn(page, player.email, player.password);
    await page.goto("/account");
    await page.getByLabel("Token name").fill("e2e script");
    await page.getByLabel("Expires after").selectOption("7");
    await page.getByRole("button", { name: "Create token" }).click();
    const value = page.getByTestId("new-token-value");
    await expect(value).toHaveText(/^plt_/);
    const token = (await value.textContent()) ?? "";
    const row = page.getByTestId("token-row").filter({ hasText: "e2e script" });
    await expect(row).toContainText("active");
    await shot(page, "two-factor-07-token-created");

    const bearer = { authorization: `Bearer ${token}` };
    const used = await request.get("/api/v1/redemptions", { headers: bearer });
    expect(used.status()).toBe(200);

    const listed = await request.get("/api/v1/tokens", { headers: bearer });
    expect(listed.status()).toBe(200);
    const { tokens } = (await listed.json()) as { tokens: Record<string, unknown>[] };
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ name: "e2e script", status: "active" });
    expect(JSON.stringify(tokens)).not.toContain(token);

    await page.reload();
    await expect(row).not.toContainText("never");
    await row.getByRole("button", { name: "Revoke e2e script" }).click();
    await expect(row).toContainText("revoked");
    await shot(page, "two-factor-08-token-revoked");

    const refused = await request.get("/api/v1/redemptions", { headers: bearer });
    expect(refused.status()).toBe(401);
  });

  test("an admin without two-factor is sent to set it up, and the API refuses the role", async ({
    page,
    request,
  }) => {
    const newcomer = await createPlayer(request, "newadmin");
    const adminToken = await apiToken(request, ADMIN_EMAIL);
    const promoted = await request.patch(`/api/v1/admin/accounts/${newcomer.id}`, {
      headers: { authorization: `Bearer ${adminToken}` },
      data: { role: "admin" },
    });
    expect(promoted.status(), await promoted.text()).toBe(200);

    const ownToken = await apiToken(request, newcomer.email, newcomer.password);
    const drops = await request.get("/api/v1/admin/drops", {
      headers: { authorization: `Bearer ${ownToken}` },
    });
    expect(drops.status()).toBe(403);
    expect(((await drops.json()) as { error: { code: string } }).error.code).toBe(
      "two_factor_required",
    );

    await signIn(page, newcomer.email, newcomer.password);
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/account\/security\?next=%2Fadmin/);
    await expect(page.locator(".alert.info")).toContainText(
      "Admins and auditors must turn on two-factor authentication",
    );
    await shot(page, "two-factor-09-admin-must-enrol");
  });

  test("five wrong passwords lock the account, and the form says for how long", async ({
    page,
    request,
  }) => {
    const player = await createPlayer(request, "lockout");
    await fillCredentials(page, player.email, "not the password");
    for (let attempt = 1; attempt <= 4; attempt++) {
      await submitSignIn(page);
      await expect(formAlert(page)).toHaveText("Wrong email or password");
    }
    await submitSignIn(page);
    await expect(formAlert(page)).toHaveText(
      /this account is locked\. Try again in (29|30) seconds\./,
    );
    // While locked, even the right password is refused.
    await page.getByLabel("Password").fill(player.password);
    await submitSignIn(page);
    await expect(formAlert(page)).toContainText("this account is locked");
    await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
    await shot(page, "two-factor-10-locked");
  });
});

// Two sizes: a desktop browser and a phone.
const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

for (const size of SIZES) {
  test.describe(`return paths stay on this site (${size.name})`, () => {
    test.use({ viewport: size.viewport });

    test("a hostile next= sends neither sign-in nor two-factor set-up off-site", async ({
      page,
      request,
    }) => {
      // Should the app ever send the browser there, the test sees it instead of a DNS failure.
      await page.context().route(
        (url) => url.hostname === "evil.example",
        (route) => route.fulfill({ contentType: "text/html", body: "<h1>evil.example</h1>" }),
      );
      const onSite = () => expect(new URL(page.url()).origin).toBe(new URL(BASE_URL).origin);
      const player = await createPlayer(request, `redirect-${size.name}`);

      await test.step("sign-in with next=/\\evil.example lands on the home page", async () => {
        await page.goto(`/signin?next=${encodeURIComponent("/\\evil.example")}`);
        await page.getByLabel("Email").fill(player.email);
        await page.getByLabel("Password").fill(player.password);
        await signInButton(page).click();
        // Attached, not visible: on a phone the name is inside the folded Menu.
        await expect(page.getByTestId("signed-in-as")).toBeAttached();
        onSite();
        expect(new URL(page.url()).pathname).toBe("/");
        await shot(page, `two-factor-11-signin-next-stays-${size.name}`);
      });

      await test.step("two-factor set-up with next=/\\evil.example returns to the account page", async () => {
        await page.goto("/account/security?next=/\\evil.example");
        await page.getByRole("button", { name: "Set up two-factor" }).click();
        const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
        rememberTotpSecret(player.email, secret);
        await page.getByLabel("Code from the app").fill((await nextTotpCode(player.email)) ?? "");
        await page.getByRole("button", { name: "Turn on two-factor" }).click();
        await expect(page.getByTestId("recovery-codes")).toBeVisible();
        await expect(page.getByRole("link", { name: "I have saved them" })).toHaveAttribute(
          "href",
          "/account",
        );
        await page.getByRole("link", { name: "I have saved them" }).click();
        await expect(page.getByRole("heading", { name: "Account" })).toBeVisible();
        onSite();
        expect(new URL(page.url()).pathname).toBe("/account");
        await shot(page, `two-factor-12-enrol-next-stays-${size.name}`);
      });
    });
  });
}
