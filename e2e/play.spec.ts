/**
 * The game page, the round history, the fairness page and the round verifier, as the demo player
 * uses them at desktop and phone sizes: play dice by keyboard and by mouse, see the balance move
 * and the round in the history, set a client seed, rotate the seed and replay a round in the
 * browser with every check passing.
 */
import { expect, type Page, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { embeddedPostgresUrl } from "../scripts/lib/embedded-postgres";
import { grantTestCoins } from "../test/wallet";
import { BASE_URL, E2E_PG_PORT } from "./constants";
import { ALICE_EMAIL, openHeaderMenu, shot, signIn, watchCsp } from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

/** Gold Coins for the demo player, credited through the journal as a grant would be. */
test.beforeAll(async () => {
  const { db, sql: connection } = createDb(embeddedPostgresUrl(E2E_PG_PORT), 1);
  try {
    const [alice] = await db.execute<{ id: string }>(
      sql`select id from users where email = ${ALICE_EMAIL}`,
    );
    if (!alice) throw new Error("no demo player");
    await grantTestCoins(db, alice.id, "GC", 100_000);
  } finally {
    await connection.end();
  }
});

async function expectNothingWider(page: Page): Promise<void> {
  // The elements that reach past the right edge, named, so a failure says what to fix.
  const wider = await page.evaluate(() =>
    Array.from(document.querySelectorAll("body *"))
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      // What a scrolling box (a wide table) holds scrolls inside it, not the page.
      .filter((el) => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== "visible") return false;
        }
        return true;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${el.textContent?.slice(0, 40)})`),
  );
  expect(wider, "nothing is wider than the viewport").toEqual([]);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(viewportWidth(page));
}

function viewportWidth(page: Page): number {
  return page.viewportSize()?.width ?? 0;
}

/** Coins as the page shows them, in hundredths. */
async function balanceOf(page: Page, currency: "GC" | "SC"): Promise<number> {
  const text = (await page.getByTestId(`balance-${currency}`).textContent()) ?? "";
  return Math.round(Number(text) * 100);
}

for (const { name, viewport } of SIZES) {
  test(`play dice, see the history, rotate and verify (${name})`, async ({ page, browser }) => {
    await page.setViewportSize(viewport);
    const noViolations = await watchCsp(page);
    await signIn(page, ALICE_EMAIL);
    await openHeaderMenu(page);
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Play" })
      .click();
    await expect(page.getByRole("heading", { name: "Play", exact: true })).toBeVisible();
    const rows = page.getByTestId("round-row");
    const roundsBefore = await rows.count();

    // Keyboard: the arrow keys move the target, Enter plays (the focus on no control).
    const target = page.getByLabel("Target", { exact: true });
    await expect(target).toHaveValue("50");
    await page.getByRole("heading", { name: "Play", exact: true }).click();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Shift+ArrowRight");
    await expect(target).toHaveValue("61");
    await page.keyboard.press("ArrowLeft");
    await expect(target).toHaveValue("60");
    await expect(page.getByTestId("dice-odds")).toContainText("59.99%");
    await expect(page.getByTestId("dice-odds")).toContainText("×1.6500");
    await expect(page.getByTestId("dice-payout")).toHaveText("1.65 GC");
    const start = await balanceOf(page, "GC");
    await page.keyboard.press("Enter");
    const result = page.getByTestId("round-result");
    await expect(result).toHaveAttribute("data-outcome", /^(win|loss)$/);
    const won = (await result.getAttribute("data-outcome")) === "win";
    await expect.poll(() => balanceOf(page, "GC")).toBe(start - 100 + (won ? 165 : 0));
    await expect(rows).toHaveCount(Math.min(roundsBefore + 1, 10));
    await shot(page, `play-keyboard-${name}`);

    // Mouse: a bigger stake, the button.
    await page.getByLabel("Stake (GC)").fill("2.50");
    const afterKeyboard = await balanceOf(page, "GC");
    const firstId = await rows.first().getAttribute("data-round-id");
    await page.getByRole("button", { name: "Play Dice" }).click();
    await expect(rows.first()).not.toHaveAttribute("data-round-id", firstId ?? "");
    await expect(rows.first()).toContainText("2.50 GC");
    const secondWon = (await result.getAttribute("data-outcome")) === "win";
    await expect
      .poll(() => balanceOf(page, "GC"))
      .toBe(afterKeyboard - 250 + (secondWon ? 412 : 0));
    await page.getByText("Rules and paytable of Dice").click();
    await expect(page.getByTestId("paytable")).toContainText("1.9800");
    await expectNothingWider(page);
    await shot(page, `play-mouse-${name}`);

    // The scratch card, played with Space.
    await page.getByLabel("Scratch card").check();
    await page.getByRole("heading", { name: "Play", exact: true }).click();
    const lastDice = await rows.first().getAttribute("data-round-id");
    await page.keyboard.press("Space");
    await expect(rows.first()).not.toHaveAttribute("data-round-id", lastDice ?? "");
    await expect(rows.first()).toContainText("Scratch card");
    await expect(result).toHaveAttribute("data-outcome", /^(win|loss)$/);

    // A refusal in words: no Sweeps Coins to stake.
    await page.getByLabel(/Sweeps Coins/).check();
    await page.getByLabel("Stake (SC)").fill("100000.00");
    await page.getByRole("button", { name: "Play Scratch card" }).click();
    await expect(page.getByTestId("play-error")).toHaveAttribute(
      "data-code",
      /^(insufficient_funds|not_eligible:region)$/,
    );
    await expect(page.getByTestId("play-error")).toContainText(/balance|region/i);
    await shot(page, `play-refused-${name}`);

    // The round in the history, not yet verifiable: its seed is still in play.
    const roundId = await rows.first().getAttribute("data-round-id");
    await rows.first().getByRole("link", { name: "Verify" }).click();
    await expect(page).toHaveURL(new RegExp(`/rounds/${roundId}/verify$`));
    await expect(page.getByTestId("seed-not-revealed")).toBeVisible();
    await expect(page.locator('[data-step="outcome"]')).toHaveAttribute("data-state", "not_run");
    await expectNothingWider(page);
    await shot(page, `verify-unrevealed-${name}`);

    // A client seed of the player's own, then a round with it, then rotate.
    await page.goto("/fairness");
    const clientSeed = `e2e-${name}-${Date.now().toString(36)}`;
    await page.getByLabel(/Client seed \(/).fill(clientSeed);
    await page.getByRole("button", { name: "Set client seed" }).click();
    await expect(page.getByTestId("client-seed")).toHaveText(clientSeed);
    await page.goto("/play");
    await page.getByRole("button", { name: "Play Dice" }).click();
    await expect(rows.first()).not.toHaveAttribute("data-round-id", roundId ?? "");
    const seededRound = await rows.first().getAttribute("data-round-id");

    await page.goto("/fairness");
    const inPlay = (await page.getByTestId("server-seed-hash").textContent()) ?? "";
    const next = (await page.getByTestId("next-seed-hash").textContent()) ?? "";
    await page.getByRole("button", { name: "Rotate: reveal my seed" }).click();
    await expect(page.getByTestId("revealed-seed")).toContainText(inPlay);
    await expect(page.getByTestId("server-seed-hash")).toHaveText(next);
    await expect(page.getByTestId("next-nonce")).toHaveText("0");
    const revealed = page.locator('[data-testid="seed-row"][data-status="revealed"]').first();
    await expect(revealed).toContainText(inPlay);
    await expect(revealed.getByTestId("revealed-server-seed")).toHaveText(/^[0-9a-f]{64}$/);
    await expect(revealed.getByRole("link", { name: /^leaf \d+$/ })).toBeVisible();
    await expectNothingWider(page);
    await shot(page, `fairness-${name}`);

    // The revealed round replays in the browser; every check passes once the log is anchored.
    await page.goto(`/rounds/${seededRound}/verify`);
    await expect(page.getByTestId("round-inputs")).toContainText(clientSeed);
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("verify-verdict")).toHaveAttribute("data-state", "passed", {
        timeout: 2_000,
      });
    }).toPass({ timeout: 60_000, intervals: [1_000, 2_000] });
    for (const step of await page.getByTestId("verify-step").all()) {
      await expect(step).toHaveAttribute("data-state", "passed");
    }
    await expect(page.getByTestId("verify-step")).toHaveCount(5);
    await expectNothingWider(page);
    await shot(page, `verify-passed-${name}`);
    noViolations();

    // Anyone may replay a revealed round.
    const anonymous = await browser.newContext({ baseURL: BASE_URL, viewport });
    const stranger = await anonymous.newPage();
    await stranger.goto(`/rounds/${seededRound}/verify`);
    await expect(stranger.getByTestId("verify-verdict")).toHaveAttribute("data-state", "passed");
    await anonymous.close();
  });
}
