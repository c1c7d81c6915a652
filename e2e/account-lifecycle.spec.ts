import { expect, test } from "@playwright/test";
import {
  createPlayer,
  mailedLink,
  otherClientIp,
  serverTime,
  shot,
  signIn,
  uniqueEmail,
  verifyEmailViaMailbox,
} from "./helpers";

test.describe("account lifecycle", () => {
  test("signs up with country and 18+, then confirms the email from the development mailbox", async ({
    page,
  }) => {
    const email = uniqueEmail("lifecycle");
    const displayName = `Lee ${Date.now().toString(36)}`;

    await test.step("the form asks for the country and the 18+ declaration", async () => {
      await page.goto("/signup");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Display name").fill(displayName);
      await page.getByLabel("Password").fill("a-long-enough-password");
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByText("Choose your country of residence")).toBeVisible();
      await expect(page.getByText("Confirm that you are 18 or older")).toBeVisible();
      await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
      await expect(page.getByLabel("Email")).toHaveValue(email);
      await shot(page, "lifecycle-01-signup-declarations-missing");

      await page.getByLabel("Country of residence").selectOption({ label: "Germany" });
      await page.getByLabel("Password").fill("a-long-enough-password");
      await page.getByRole("button", { name: "Create account" }).click();
      // The country is kept; the 18+ box is still unticked and still required.
      await expect(page.getByText("Confirm that you are 18 or older")).toBeVisible();
      await expect(page.getByText("Choose your country of residence")).toHaveCount(0);
      await expect(page.getByLabel("Country of residence")).toHaveValue("DE");
    });

    const banner = page.getByTestId("verify-email-banner");
    await test.step("signed up and signed in, with a banner until the email is confirmed", async () => {
      await page.getByLabel("Password").fill("a-long-enough-password");
      await page.getByLabel("I am 18 or older").check();
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByTestId("signed-in-as")).toHaveText(`${displayName} · player`);
      await expect(banner).toContainText("Your email is not verified");
      await expect(banner).toContainText(email);
      await shot(page, "lifecycle-02-unverified-banner");
    });

    let firstLink = "";
    await test.step("a resent link replaces the first one", async () => {
      firstLink = await mailedLink(page.request, email, "/verify-email");
      await banner.getByRole("button", { name: "Resend link" }).click();
      await expect(banner.getByTestId("resend-notice")).toHaveText(
        `We sent a new link to ${email}. Links in earlier emails no longer work.`,
      );
      await shot(page, "lifecycle-03-resent");
      await page.goto(firstLink);
      await expect(page.getByTestId("link-problem")).toHaveText(
        "This link has expired or a newer one was sent. Ask for a new one.",
      );
      await expect(page.getByRole("button", { name: "Send me a new link" })).toBeVisible();
      await shot(page, "lifecycle-04-replaced-link");
    });

    await test.step("the development mailbox shows both messages, newest first", async () => {
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Dev mailbox" })
        .click();
      await expect(page.getByRole("heading", { name: "Development mailbox" })).toBeVisible();
      await expect(page.getByText("This is the development mailbox.")).toBeVisible();
      await page.getByLabel("Recipient").fill(email);
      await page.getByRole("button", { name: "Show messages to this address" }).click();
      const messages = page.getByTestId("mail-message");
      await expect(messages).toHaveCount(2);
      await expect(messages.getByTestId("mail-to")).toHaveText([email, email]);
      await expect(messages.first()).toContainText("Confirm your email address for Prizeledger");
      await expect(messages.nth(1).getByRole("link")).toHaveText(firstLink);
      await shot(page, "lifecycle-05-mailbox");
    });

    await test.step("the link opens a confirm button; confirming removes the banner", async () => {
      const link = page
        .getByTestId("mail-message")
        .first()
        .getByRole("link", { name: /\/verify-email\?token=/ });
      const href = (await link.getAttribute("href")) ?? "";
      await link.click();
      await expect(page.getByRole("button", { name: "Confirm my email" })).toBeVisible();
      // Merely opening the link (as a mail scanner would) has not confirmed anything.
      await expect(banner).toBeVisible();
      await shot(page, "lifecycle-06-confirm-button");
      await page.getByRole("button", { name: "Confirm my email" }).click();
      await expect(page.getByRole("heading", { name: "Email confirmed" })).toBeVisible();
      await expect(banner).toHaveCount(0);
      await shot(page, "lifecycle-07-confirmed");

      await page.goto(href);
      await expect(page.getByTestId("link-problem")).toHaveText(
        "This link has already been used. Ask for a new one if you still need it.",
      );
      await expect(page.getByText("Your email address is already confirmed")).toBeVisible();
      await expect(banner).toHaveCount(0);
    });
  });

  test("a forgotten password is reset by mail: other sessions end, the old password stops working", async ({
    page,
    browser,
    request,
  }) => {
    const player = await createPlayer(request, "forgetful");
    const newPassword = "my-brand-new-password";

    // A session elsewhere (another browser) that the reset must end.
    const elsewhere = await browser.newContext();
    const otherPage = await elsewhere.newPage();
    await signIn(otherPage, player.email, player.password);

    await test.step("the sign-in page links to the reset form, which never says whether the account exists", async () => {
      await page.goto("/signin");
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      await expect(page).toHaveURL(/\/forgot-password$/);
      await page.getByLabel("Email").fill(uniqueEmail("nobody"));
      await page.getByRole("button", { name: "Email me a reset link" }).click();
      const notice = page.getByRole("status");
      await expect(notice).toHaveText(/^If an account exists for that email, we sent it a link/);
      const unknownAnswer = await notice.textContent();

      await page.getByLabel("Email").fill(player.email);
      await page.getByRole("button", { name: "Email me a reset link" }).click();
      await expect(page.getByLabel("Email")).toHaveValue(player.email);
      await expect(notice).toHaveText(unknownAnswer ?? "");
      await shot(page, "lifecycle-08-forgot-password");
    });

    let resetLink = "";
    await test.step("the mailed link opens a form that sets the new password", async () => {
      resetLink = await mailedLink(page.request, player.email, "/reset-password");
      await page.goto(`/dev/mailbox?to=${encodeURIComponent(player.email)}`);
      const mail = page
        .getByTestId("mail-message")
        .filter({ hasText: "Reset your Prizeledger password" });
      await expect(mail).toHaveCount(1);
      await mail.getByRole("link", { name: resetLink }).click();
      await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();

      await page.getByLabel(/^New password/).fill(newPassword);
      await page.getByLabel("Repeat the new password").fill("something-else-entirely");
      await page.getByRole("button", { name: "Set new password" }).click();
      await expect(page.getByText("The two passwords are not the same")).toBeVisible();
      await shot(page, "lifecycle-09-reset-mismatch");

      await page.getByLabel(/^New password/).fill(newPassword);
      await page.getByLabel("Repeat the new password").fill(newPassword);
      await page.getByRole("button", { name: "Set new password" }).click();
      await expect(page.getByRole("heading", { name: "Password changed" })).toBeVisible();
      await shot(page, "lifecycle-10-password-changed");
    });

    await test.step("the other session has ended and the link cannot be used again", async () => {
      await otherPage.reload();
      await expect(otherPage.getByTestId("signed-in-as")).toHaveCount(0);
      await elsewhere.close();

      await page.goto(resetLink);
      await expect(page.getByTestId("link-problem")).toHaveText(
        "This link has already been used. Ask for a new one if you still need it.",
      );
      await expect(page.getByRole("link", { name: "Ask for a new reset link" })).toBeVisible();
    });

    await test.step("the old password is refused, the new one signs in", async () => {
      await page.goto("/signin");
      await page.getByLabel("Email").fill(player.email);
      await page.getByLabel("Password").fill(player.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.locator("form").getByRole("alert")).toHaveText(/Wrong email or password/);
      await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
      await shot(page, "lifecycle-11-old-password-refused");

      await signIn(page, player.email, newPassword);
      await expect(page.getByTestId("signed-in-as")).toHaveText("E2E forgetful · player");
    });
  });

  test("an API client signs up with or without the declarations and confirms by token", async ({
    request,
  }) => {
    const bare = await request.post("/api/v1/accounts", {
      headers: { "x-forwarded-for": otherClientIp() },
      data: { email: uniqueEmail("api-bare"), password: "correct horse battery" },
    });
    expect(bare.status(), await bare.text()).toBe(201);

    const badRegion = await request.post("/api/v1/accounts", {
      data: { email: uniqueEmail("api-bad"), password: "correct horse battery", region: "XX" },
    });
    expect(badRegion.status()).toBe(400);
    expect(await badRegion.json()).toMatchObject({
      error: { code: "invalid_input", field: "region" },
    });

    const unknown = await request.post("/api/v1/accounts/verify-email", {
      data: { token: "A".repeat(43) },
    });
    expect(unknown.status()).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: { code: "invalid_link", reason: "unknown" },
    });

    // createPlayer confirms through the API: a second use of the same token is refused as used.
    const player = await createPlayer(request, "api-verified");
    const link = await mailedLink(request, player.email, "/verify-email");
    const again = await request.post("/api/v1/accounts/verify-email", {
      data: { token: new URL(link).searchParams.get("token") },
    });
    expect(again.status()).toBe(400);
    expect(await again.json()).toMatchObject({ error: { code: "invalid_link", reason: "used" } });
  });

  test("sign-ups are limited per address: 429 with Retry-After in the API, a clear error in the form", async ({
    browser,
    request,
  }) => {
    // The limit counts in hour-long windows of the server's clock: sign-ups straddling the turn of
    // an hour would count in two, so such a run starts over from a new address.
    const hour = async () => Math.floor((await serverTime(request)) / 3_600_000);
    const run = async () => {
      // An address of this run's own (the first X-Forwarded-For hop), so no other test is limited.
      const headers = { "x-forwarded-for": otherClientIp() };
      const signUpFrom = (prefix: string) =>
        request.post("/api/v1/accounts", {
          headers,
          data: { email: uniqueEmail(prefix), password: "correct horse battery" },
        });
      const statuses = [];
      for (let i = 0; i < 10; i++) statuses.push((await signUpFrom("busy")).status());
      const refused = await signUpFrom("busy");

      const context = await browser.newContext({ extraHTTPHeaders: headers });
      const page = await context.newPage();
      await page.goto("/signup");
      await page.getByLabel("Email").fill(uniqueEmail("busy-form"));
      await page.getByLabel("Password").fill("a-long-enough-password");
      await page.getByLabel("Country of residence").selectOption("US");
      await page.getByLabel("I am 18 or older").check();
      await page.getByRole("button", { name: "Create account" }).click();
      const alert = page.locator("form").getByRole("alert");
      await expect(alert.or(page.getByTestId("signed-in-as"))).toBeVisible();
      return { statuses, refused, context, page, alert };
    };
    let inOneHour: Awaited<ReturnType<typeof run>> | undefined;
    for (let tries = 0; tries < 3 && !inOneHour; tries++) {
      const before = await hour();
      const attempt = await run();
      if ((await hour()) === before) inOneHour = attempt;
      else await attempt.context.close();
    }
    if (!inOneHour) throw new Error("three runs in a row crossed the turn of an hour");
    const { statuses, refused, context, page, alert } = inOneHour;
    expect(statuses).toEqual(Array(10).fill(201));
    expect(refused.status()).toBe(429);
    expect(Number(refused.headers()["retry-after"])).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limited" } });
    await expect(alert).toHaveText(
      /^Too many sign-ups from your network: try again in \d+ minutes?$/,
    );
    await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
    await shot(page, "lifecycle-12-signup-rate-limited");
    await context.close();
  });

  test("a player without the link signs in from /verify-email; the helper confirms through the mailbox", async ({
    page,
    request,
  }) => {
    const player = await createPlayer(request, "helper", { verified: false });
    // Without a link, the page says where the link is and how to get a new one.
    await page.goto("/verify-email");
    await expect(
      page.getByText("Open the link in the email we sent when you signed up."),
    ).toBeVisible();
    await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
    await page.getByLabel("Email").fill(player.email);
    await page.getByLabel("Password").fill(player.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/verify-email$/);
    await expect(page.getByRole("button", { name: "Send me a new link" })).toBeVisible();
    await expect(page.getByTestId("verify-email-banner")).toBeVisible();
    await verifyEmailViaMailbox(page, player.email);
    await expect(page.getByTestId("verify-email-banner")).toHaveCount(0);
  });
});
