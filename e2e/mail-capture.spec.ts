/**
 * Mail capture in production: `npm run web` (scripts/web.ts, not npm start's demo) refuses to
 * start without SMTP_URL unless MAIL_CAPTURE says who reads the captured mail, and with
 * MAIL_CAPTURE=admins only a signed-in admin opens /dev/mailbox. The instance runs beside the e2e
 * stack, on its database, chain and keys, as a second web instance of one installation would.
 */
import type { ChildProcess } from "node:child_process";
import { expect, type Page, test } from "@playwright/test";
import { E2E_WEB_PORT } from "./constants";
import { ADMIN_EMAIL, createPlayer, openHeaderMenu, shot, signIn, signOut } from "./helpers";
import { runningWeb, startWeb } from "./web-instance";

const WEB_URL = `http://localhost:${E2E_WEB_PORT}`;

async function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, stderr };
}

/** The header's links, its menu opened first where it is folded (on a phone). */
async function header(page: Page) {
  await openHeaderMenu(page);
  return page.getByRole("navigation", { name: "Main" });
}

test.describe("npm run web refuses mail anyone could read", () => {
  test("without SMTP_URL or MAIL_CAPTURE, and with MAIL_CAPTURE=public", async () => {
    const unset = await exitOf(startWeb({}));
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain("SMTP_URL must be set");
    expect(unset.stderr).toContain("MAIL_CAPTURE=admins");
    const open = await exitOf(startWeb({ MAIL_CAPTURE: "public" }));
    expect(open.code).toBe(1);
    expect(open.stderr).toContain("MAIL_CAPTURE=public would show every mail");
  });
});

test.describe("with MAIL_CAPTURE=admins, /dev/mailbox is for admins only", () => {
  let web: { stop: () => Promise<void> } | undefined;

  test.beforeAll(async () => {
    web = await runningWeb({ MAIL_CAPTURE: "admins" }, WEB_URL);
  });

  test.afterAll(async () => {
    await web?.stop();
  });

  test.use({ baseURL: WEB_URL });

  for (const size of [
    { name: "desktop", viewport: { width: 1280, height: 800 } },
    { name: "phone", viewport: { width: 390, height: 844 } },
  ]) {
    test.describe(size.name, () => {
      test.use({ viewport: size.viewport });

      test("a visitor is sent to sign in, a player is refused, an admin reads the mail", async ({
        page,
        request,
      }) => {
        // Its confirmation mail is captured: nobody but an admin may read the link in it.
        const player = await createPlayer(request, `mailcap-${size.name}`, { verified: false });

        await test.step("a visitor is sent to sign in", async () => {
          await page.goto("/dev/mailbox");
          await expect(page).toHaveURL(/\/signin\?next=%2Fdev%2Fmailbox/);
          await expect((await header(page)).getByRole("link", { name: "Dev mailbox" })).toHaveCount(
            0,
          );
          await shot(page, `mail-capture-${size.name}-01-visitor`);
        });

        await test.step("a player is refused and is not pointed to it", async () => {
          await signIn(page, player.email, player.password);
          await expect(page.getByTestId("verify-email-banner")).toBeVisible();
          await expect(
            page.getByRole("link", { name: "Open the development mailbox" }),
          ).toHaveCount(0);
          await expect((await header(page)).getByRole("link", { name: "Dev mailbox" })).toHaveCount(
            0,
          );
          const res = await page.goto(`/dev/mailbox?to=${encodeURIComponent(player.email)}`);
          expect(res?.status()).toBe(403);
          await expect(page.getByTestId("forbidden")).toBeVisible();
          await expect(page.getByTestId("mail-message")).toHaveCount(0);
          await shot(page, `mail-capture-${size.name}-02-player`);
          await signOut(page);
        });

        await test.step("an admin with two-factor reads it", async () => {
          await signIn(page, ADMIN_EMAIL);
          await (await header(page)).getByRole("link", { name: "Dev mailbox" }).click();
          await expect(page.getByRole("heading", { name: "Development mailbox" })).toBeVisible();
          await expect(page.getByText("Only admins can read it")).toBeVisible();
          await page.getByPlaceholder("recipient@example.com").fill(player.email);
          await page.getByRole("button", { name: "Show messages to this address" }).click();
          const mail = page.getByTestId("mail-message");
          await expect(mail).toHaveCount(1);
          await expect(mail.getByTestId("mail-to")).toHaveText(player.email);
          await expect(mail.getByRole("heading")).toHaveText(
            "Confirm your email address for Prizeledger",
          );
          await shot(page, `mail-capture-${size.name}-03-admin`);
        });
      });
    });
  }
});
