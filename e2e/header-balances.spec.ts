/**
 * The site header of a player with a large balance: on a phone its balances, name, Account and
 * Sign out are in the header's menu, one under the other, instead of pushing the page sideways.
 */
import { expect, test } from "@playwright/test";
import { createDb } from "../db/client";
import { embeddedPostgresUrl } from "../scripts/lib/embedded-postgres";
import { grantTestCoins } from "../test/wallet";
import { E2E_PG_PORT } from "./constants";
import { createPlayer, openHeaderMenu, shot, signIn } from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

for (const size of SIZES) {
  test(`a billion Gold Coins fit the header (${size.name})`, async ({ page, request }) => {
    await page.setViewportSize(size.viewport);
    const player = await createPlayer(request, `rich-${size.name}`);
    const { db, sql: connection } = createDb(embeddedPostgresUrl(E2E_PG_PORT), 1);
    try {
      await grantTestCoins(db, player.id, "GC", 123_456_789_000);
      await grantTestCoins(db, player.id, "SC", 9_876_543);
    } finally {
      await connection.end();
    }
    await signIn(page, player.email, player.password);
    await page.goto("/wallet");
    await openHeaderMenu(page);
    await expect(page.getByTestId("header-gc")).toHaveText("GC 1234567890.00");
    await expect(page.getByRole("button", { name: "Sign out" })).toBeInViewport();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(size.viewport.width);
    await shot(page, `header-balances-${size.name}`);
  });
}
