/**
 * The app shell: the header as a "Menu" on a phone (keyboard and screen-reader friendly), a long
 * name cut short in the desktop header, the skip link, the display name changed on /account, and
 * a player who signs up from a page brought back to it once their email is confirmed.
 */
import { expect, type Page, test } from "@playwright/test";
import {
  createPlayer,
  findOpenDrop,
  LAUNCH_DROP,
  otherClientIp,
  shot,
  signIn,
  uniqueEmail,
} from "./helpers";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const PASSWORD = "correct horse battery";
/** As long as a display name may be (60 characters). */
const LONG_NAME = "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Montgomery I";

/** Signs in, at desktop size, as a new player of the given display name. */
async function signInAsNew(page: Page, displayName: string): Promise<void> {
  const player = await createPlayer(page.request, "shell", { displayName });
  await page.setViewportSize(DESKTOP);
  await signIn(page, player.email, player.password);
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll, "page width").toBeLessThanOrEqual(inner);
}

test("a long name is cut short in the desktop header, and the skip link leads to the content", async ({
  page,
}) => {
  expect(LONG_NAME).toHaveLength(60);
  await signInAsNew(page, LONG_NAME);
  await page.goto("/account");

  const who = page.getByTestId("signed-in-as");
  await expect(who).toHaveText(`${LONG_NAME} · player`);
  await expect(who).toHaveAttribute("title", LONG_NAME);
  const cut = await who
    .locator(".name")
    .evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow);
  expect(cut, "the name is cut with an ellipsis").toBe("ellipsis");
  await expectNoSidewaysScroll(page);
  await shot(page, "header-01-long-name-desktop");

  const skip = page.getByRole("link", { name: "Skip to content" });
  await page.keyboard.press("Tab");
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await shot(page, "header-02-skip-link-desktop");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#content$/);
  await expect(page.locator("main#content")).toBeFocused();
});

test("on a phone the header's links open from a Menu, by keyboard or touch, and close again", async ({
  page,
}) => {
  await signInAsNew(page, LONG_NAME);
  await page.setViewportSize(PHONE);
  await page.goto("/account");

  const menu = page.locator("details.site-menu");
  const summary = menu.locator("summary");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(summary).toHaveText("Menu");
  await expect(nav).toBeHidden();
  await expectNoSidewaysScroll(page);
  await shot(page, "header-03-menu-closed-phone");

  await test.step("Enter opens it, Escape closes it and leaves the focus on Menu", async () => {
    await summary.focus();
    await page.keyboard.press("Enter");
    await expect(nav.getByRole("link", { name: "Wallet" })).toBeVisible();
    await expect(page.getByTestId("signed-in-as")).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await shot(page, "header-04-menu-open-phone");
    await page.keyboard.press("Escape");
    await expect(nav).toBeHidden();
    await expect(summary).toBeFocused();
  });

  await test.step("following a link closes it", async () => {
    await summary.click();
    await nav.getByRole("link", { name: "Wallet" }).click();
    await expect(page).toHaveURL(/\/wallet$/);
    await expect(nav).toBeHidden();
    await expect(menu).not.toHaveAttribute("open");
  });

  await test.step("signed out, Sign in and Sign up are in the menu, readable", async () => {
    await summary.click();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
    await summary.click();
    const signInLink = page.getByRole("banner").getByRole("link", { name: "Sign in" });
    await expect(signInLink).toBeVisible();
    await expect(page.getByRole("banner").getByRole("link", { name: "Sign up" })).toBeVisible();
    // Light text on the header's own dark panel, not on the page's light background.
    const panel = await page
      .locator(".site-menu-body")
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(panel).toBe("rgb(17, 19, 28)");
    await shot(page, "header-05-menu-signed-out-phone");
  });
});

test("the display name is changed on the account page, refused in words when it is not a name", async ({
  page,
}) => {
  await signInAsNew(page, "E2E before rename");
  await page.goto("/account");
  const form = page.getByTestId("display-name");
  const input = form.getByLabel("Display name");
  await expect(input).toHaveValue("E2E before rename");

  await test.step("blank, or with a hidden control character: refused beside the field", async () => {
    await input.fill("   ");
    await form.getByRole("button", { name: "Save name" }).click();
    await expect(input).toHaveAttribute("aria-invalid", "true");
    await expect(input).toHaveAccessibleDescription("Enter a display name");
    await input.fill("Ada\u202enimdA");
    await form.getByRole("button", { name: "Save name" }).click();
    await expect(input).toHaveAccessibleDescription(
      "Use letters, digits, spaces and punctuation only",
    );
    // What was typed stays, to be corrected; the header keeps the old name.
    await expect(input).toHaveValue("Ada\u202enimdA");
    await expect(page.getByTestId("signed-in-as")).toHaveText("E2E before rename · player");
    await shot(page, "header-06-rename-refused-desktop");
  });

  await test.step("a good name is saved and shown in the header at once", async () => {
    await input.fill("  Robin Q. Tester  ");
    await form.getByRole("button", { name: "Save name" }).click();
    await expect(form.getByRole("status")).toHaveText("Display name saved.");
    await expect(page.getByTestId("signed-in-as")).toHaveText("Robin Q. Tester · player");
    await expect(input).toHaveValue("Robin Q. Tester");
    await expect(input).not.toHaveAttribute("aria-invalid");
    await shot(page, "header-07-renamed-desktop");
    await page.setViewportSize(PHONE);
    await page.reload();
    await page.locator("details.site-menu summary").click();
    await expect(page.getByTestId("signed-in-as")).toHaveText("Robin Q. Tester · player");
    await expectNoSidewaysScroll(page);
    await shot(page, "header-08-renamed-phone");
  });
});

test("a player who signs up from a page's sign-in link is brought back to it once the email is confirmed", async ({
  page,
}) => {
  const drop = await findOpenDrop(page.request, LAUNCH_DROP);
  expect(drop).toBeDefined();
  const dropPath = `/drops/${drop?.id}`;
  const email = uniqueEmail("returning");
  // Sign-ups are limited per address: this browser is a client of its own.
  await page.context().setExtraHTTPHeaders({ "x-forwarded-for": otherClientIp() });

  await test.step("the sign-in page's sign-up link carries the page along", async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`/signin?next=${encodeURIComponent(dropPath)}`);
    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page).toHaveURL(`/signup?next=${encodeURIComponent(dropPath)}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    // Field errors are tied to their fields.
    await expect(page.getByLabel("Country of residence")).toHaveAccessibleDescription(
      /Choose your country of residence/,
    );
    await expect(page.getByLabel("I am 18 or older")).toHaveAccessibleDescription(
      "Confirm that you are 18 or older",
    );
    await expect(page.getByLabel("Email")).not.toHaveAttribute("aria-invalid");
    await expectNoSidewaysScroll(page);
    await shot(page, "header-09-signup-errors-phone");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Country of residence").selectOption("US");
    await page.getByLabel("I am 18 or older").check();
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(dropPath);
  });

  await test.step("the mailed link leads to a confirmation that goes back to the drop", async () => {
    let link = "";
    await expect
      .poll(async () => {
        const res = await page.request.get(`/dev/mailbox?to=${encodeURIComponent(email)}`);
        const href = /href="([^"]*\/verify-email\?token=[^"]+)"/.exec(await res.text())?.[1];
        link = href?.replaceAll("&amp;", "&") ?? "";
        return link;
      })
      .not.toBe("");
    expect(new URL(link).searchParams.get("next")).toBe(dropPath);
    await page.setViewportSize(DESKTOP);
    await page.goto(link);
    await page.getByRole("button", { name: "Confirm my email" }).click();
    await expect(page.getByRole("heading", { name: "Email confirmed" })).toBeVisible();
    await shot(page, "header-10-confirmed-desktop");
    await page.setViewportSize(PHONE);
    await shot(page, "header-11-confirmed-phone");
    await page.getByRole("link", { name: "Go back to where you were" }).click();
    await expect(page).toHaveURL(dropPath);
    await expect(page.getByTestId("verify-email-banner")).toHaveCount(0);
  });

  await test.step("a return path to another site is never offered", async () => {
    for (const next of ["//evil.example", "https://evil.example/", "/\\evil.example"]) {
      await page.goto(`/verify-email/confirmed?next=${encodeURIComponent(next)}`);
      await expect(page.getByRole("link", { name: "Go back to where you were" })).toHaveCount(0);
      await expect(page.getByRole("link", { name: "See the drops" })).toHaveAttribute("href", "/");
      await page.goto(`/signin?next=${encodeURIComponent(next)}`);
      await expect(page.getByRole("link", { name: "Create an account" })).toHaveAttribute(
        "href",
        "/signup",
      );
    }
  });
});
