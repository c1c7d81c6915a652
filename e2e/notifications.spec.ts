/**
 * The notification centre: a player claims a prize in one tab, and the bell of another open tab
 * counts it without a reload; the notifications page lists it, links to the redemption, and
 * marks it read (one, then all), and the bell falls back. A player chooses on /account which
 * events come by email and push, or in the app only, and the choice is kept. A notification
 * email's unsubscribe links turn mail like it, or all of that player's mail, off.
 */
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { notificationPreferences } from "../db/schema";
import { embeddedPostgresUrl } from "../scripts/lib/embedded-postgres";
import { E2E_PG_PORT } from "./constants";
import { createCryptoDrops } from "./crypto-drops";
import { createPlayer, shot, signIn } from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

for (const size of SIZES) {
  test(`the bell counts a claim live, and the page marks it read (${size.name})`, async ({
    browser,
    request,
  }) => {
    const context = await browser.newContext({ viewport: size.viewport });
    const page = await context.newPage();
    const player = await createPlayer(request, `bell-${size.name}`);
    const dropIds = await createCryptoDrops("Bell test", 2);
    await signIn(page, player.email, player.password);
    await page.goto("/notifications");
    await expect(page.getByTestId("unread-count")).toHaveText("All read.");
    await expect(page.getByTestId("bell")).toHaveAttribute("aria-label", "Notifications");
    await expect(page.getByTestId("bell-count")).toHaveCount(0);

    await test.step("a claim in another tab moves this tab's bell without a reload", async () => {
      const other = await context.newPage();
      for (const dropId of dropIds) {
        await other.goto(`/drops/${dropId}`);
        await other.getByRole("button", { name: "Claim one unit" }).click();
        await expect(other.getByTestId("claim-success")).toBeVisible();
      }
      await other.close();
      await expect(page.getByTestId("bell-count")).toHaveText("4");
      await expect(page.getByTestId("bell")).toHaveAttribute(
        "aria-label",
        "Notifications, 4 unread",
      );
      // The open page re-renders with them too.
      await expect(page.getByTestId("notification")).toHaveCount(4);
      await expect(page.getByTestId("unread-count")).toHaveText("4 unread.");
      const list = page.getByTestId("notification");
      await expect(list.filter({ hasText: "You claimed Bell test coin" })).toHaveCount(2);
      await expect(
        list.filter({ hasText: "Bell test coin: one step left for you" }).first(),
      ).toContainText("link one on your account page");
      await shot(page, `notifications-01-unread-${size.name}`);
    });

    await test.step("mark one read, then all", async () => {
      const first = page.getByTestId("notification").first();
      await first.getByTestId("mark-read").click();
      await expect(first).toHaveAttribute("data-read", "true");
      await expect(page.getByTestId("bell-count")).toHaveText("3");
      await page.getByTestId("mark-all-read").click();
      await expect(page.getByTestId("unread-count")).toHaveText("All read.");
      await expect(page.getByTestId("bell-count")).toHaveCount(0);
      await expect(page.locator('[data-testid="notification"][data-read="false"]')).toHaveCount(0);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(size.viewport.width);
      await shot(page, `notifications-02-read-${size.name}`);
    });

    await test.step("a notification opens its redemption", async () => {
      await page
        .getByTestId("notification")
        .filter({ hasText: "You claimed" })
        .first()
        .getByRole("link")
        .click();
      await expect(page).toHaveURL(/\/redemptions\/[0-9a-f-]{36}$/);
    });
    await context.close();
  });
}

for (const size of SIZES) {
  test(`the unsubscribe link of a notification email turns its mail off (${size.name})`, async ({
    page,
    request,
  }) => {
    await page.setViewportSize(size.viewport);
    const player = await createPlayer(request, `unsubscribe-${size.name}`);
    const token = randomBytes(24).toString("base64url");
    const { db, sql: connection } = createDb(embeddedPostgresUrl(E2E_PG_PORT), 1);
    try {
      await db
        .insert(notificationPreferences)
        .values({ playerId: player.id, unsubscribeToken: token });
      await page.goto(`/unsubscribe?token=${"A".repeat(32)}`);
      await page.getByTestId("unsubscribe").click();
      await expect(page.locator(".alert.error")).toHaveText("This unsubscribe link is not valid");
      const emailOff = async () => {
        const [row] = await db
          .select()
          .from(notificationPreferences)
          .where(eq(notificationPreferences.playerId, player.id));
        return row?.emailOff.sort();
      };
      // An event that is not one (here a name every object has) is refused, not a crash.
      await page.goto(`/unsubscribe?token=${token}&event=constructor`);
      await page.getByTestId("unsubscribe").click();
      await expect(page.locator(".alert.error")).toHaveText("This unsubscribe link is not valid");
      expect(await emailOff()).toEqual([]);
      await page.goto(`/unsubscribe?token=${token}&event=delivered`);
      await expect(page.getByTestId("unsubscribe")).toHaveText("Stop emails like this");
      await shot(page, `notifications-03-unsubscribe-one-${size.name}`);
      await page.getByTestId("unsubscribe").click();
      await expect(page.getByRole("status")).toHaveText(
        "Done: we will not email you about this any more (a prize is delivered).",
      );
      expect(await emailOff()).toEqual(["delivered"]);
      await page.goto(`/unsubscribe?token=${token}`);
      await page.getByTestId("unsubscribe").click();
      await expect(page.getByRole("status")).toHaveText(
        "Done: we will not email you notifications any more.",
      );
      expect(await emailOff()).toEqual(
        ["confirmed", "delivered", "next_step", "problem", "reversed"].sort(),
      );
      await shot(page, `notifications-04-unsubscribed-${size.name}`);
    } finally {
      await connection.end();
    }
  });
}

for (const size of SIZES) {
  test(`a player chooses on /account what comes by email and push, and it is kept (${size.name})`, async ({
    page,
    request,
  }) => {
    await page.setViewportSize(size.viewport);
    const player = await createPlayer(request, `preferences-${size.name}`);
    await signIn(page, player.email, player.password);
    await page.goto("/account");
    const section = page.getByTestId("notification-preferences");
    const save = async () => {
      await section.getByTestId("save-notification-preferences").click();
      await expect(section.getByRole("status")).toContainText("Saved");
    };

    await test.step("everything is on until the player chooses", async () => {
      await expect(section.getByRole("checkbox", { checked: false })).toHaveCount(1);
      await expect(section.getByTestId("in-app-only")).not.toBeChecked();
    });

    await test.step("one event's email and another's push off, kept after a reload", async () => {
      await section.getByTestId("email-delivered").uncheck();
      await section.getByTestId("push-problem").uncheck();
      await save();
      await page.reload();
      await expect(section.getByTestId("email-delivered")).not.toBeChecked();
      await expect(section.getByTestId("push-problem")).not.toBeChecked();
      await expect(section.getByTestId("push-delivered")).toBeChecked();
      await expect(section.getByTestId("email-next_step")).toBeChecked();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(size.viewport.width);
      await section.scrollIntoViewIfNeeded();
      await section.screenshot({
        path: `test-results/screenshots/notifications-05-preferences-${size.name}.png`,
      });
    });

    await test.step("in the app only: every channel off, kept, and the API agrees", async () => {
      await section.getByTestId("in-app-only").check();
      await expect(section.getByTestId("email-confirmed")).toBeDisabled();
      await save();
      await page.reload();
      await expect(section.getByTestId("in-app-only")).toBeChecked();
      await expect(section.getByTestId("email-confirmed")).not.toBeChecked();
      const answer = await page.request.get("/api/v1/account/notification-preferences");
      expect(answer.status()).toBe(200);
      const body = (await answer.json()) as { inAppOnly: boolean };
      expect(body.inAppOnly).toBe(true);
      await section.screenshot({
        path: `test-results/screenshots/notifications-06-in-app-only-${size.name}.png`,
      });
    });
  });
}
