/**
 * What a player can check of the waiting room's draw themselves, at desktop and phone size: their
 * panel shows the salt that, with their account id, recomputes their pseudonym (to them alone);
 * the order page's "check my entry" finds it in the published list before the draw and in the
 * drawn order after; the draw is fixed by an entry in the public ledger, which the browser replay
 * and `npm run queue:replay` check. Each run makes its own drop and players.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { tsxArgs } from "../scripts/lib/runtime";
import { BASE_URL } from "./constants";
import { ADMIN_EMAIL, apiToken, createPlayer, serverTime, shot, signIn } from "./helpers";

/**
 * The drop starts this far ahead, inside its hour-long pre-queue; the admin starts it sooner
 * ("start now") once the players have joined, so nothing here races the clock.
 */
const START_AHEAD_MS = 1_800_000;

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

type View = { pseudonym: string | null; entry: { playerId: string; salt: string } | null };

/** A drop of one physical unit starting `START_AHEAD_MS` from now, its pre-queue open. */
async function drawnDrop(request: APIRequestContext, tag: string): Promise<string> {
  const admin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
  const prize = await request.post("/api/v1/admin/prizes", {
    headers: admin,
    data: { name: `E2E Fair Queue Prize ${tag}`, kind: "physical", value: 5, quantity: 1 },
  });
  expect(prize.status(), await prize.text()).toBe(201);
  const startsAt = (await serverTime(request)) + START_AHEAD_MS;
  const drop = await request.post("/api/v1/admin/drops", {
    headers: admin,
    data: {
      title: `E2E Fair Queue Drop ${tag}`,
      prizeId: ((await prize.json()) as { id: string }).id,
      units: 1,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 3_600_000).toISOString(),
      waitingRoom: { enabled: true, preQueueMinutes: 60, admissionRatePerMinute: 1 },
    },
  });
  expect(drop.status(), await drop.text()).toBe(201);
  return ((await drop.json()) as { id: string }).id;
}

for (const size of SIZES) {
  test(`a player checks their own entry and the draw's ledger entry (${size.name})`, async ({
    page,
    request,
  }) => {
    test.setTimeout(240_000);
    const tag = `${size.name}-${Date.now().toString(36)}`;
    const player = await createPlayer(request, "fair-queue");
    const other = await createPlayer(request, "fair-queue-other");
    const otherAuth = {
      authorization: `Bearer ${await apiToken(request, other.email, other.password)}`,
    };
    await page.setViewportSize(size.viewport);
    await signIn(page, player.email, player.password);
    const dropId = await drawnDrop(request, tag);
    const check = page.getByTestId("queue-entry-check");

    let salt = "";
    await test.step("joined, the player's panel shows their pseudonym and the salt behind it", async () => {
      await page.goto(`/drops/${dropId}`);
      await page.getByRole("button", { name: "Join the queue" }).click();
      await expect(page.getByTestId("queue-joined")).toBeVisible();
      await page.getByText("Your entry in the public list").click();
      salt = (await page.getByTestId("queue-entry-salt").textContent()) ?? "";
      expect(salt).toMatch(/^[0-9a-f]{64}$/);
      await shot(page, `waiting-room-fairness-${size.name}-1-my-entry`);
    });

    await test.step("the API gives the salt to its player alone", async () => {
      const joined = await request.post(`/api/v1/drops/${dropId}/queue`, { headers: otherAuth });
      expect(joined.status(), await joined.text()).toBe(200);
      const view = (await joined.json()) as View;
      expect(view.entry?.playerId).toBe(other.id);
      expect(view.entry?.salt).toMatch(/^[0-9a-f]{64}$/);
      expect(view.entry?.salt).not.toBe(salt);
      const proof = await request.get(`/api/v1/drops/${dropId}/queue/proof`);
      expect(await proof.text()).not.toContain(salt);
    });

    await test.step("before the draw, 'check my entry' finds it in the published list", async () => {
      await page.goto(`/drops/${dropId}/queue`);
      await expect(check.getByLabel("Salt")).toHaveValue(salt);
      await check.getByRole("button", { name: "Check my entry" }).click();
      const result = check.getByTestId("queue-check-result");
      await expect(result).toHaveAttribute("data-found", "true");
      await expect(result).toContainText("in the pre-queue");
      await expect(result).toContainText("The order is drawn at the start");
      await expect(check.getByTestId("queue-check-pseudonym")).toHaveText(
        (await page.getByTestId("queue-my-pseudonym").textContent()) ?? "",
      );
      await shot(page, `waiting-room-fairness-${size.name}-2-checked-before`);
    });

    await test.step("a malformed salt is refused in words; another salt finds nothing", async () => {
      await check.getByLabel("Salt").fill("not hex");
      await check.getByRole("button", { name: "Check my entry" }).click();
      await expect(check.getByTestId("queue-check-error")).toHaveText(
        "The salt is 64 hex digits (32 bytes).",
      );
      await check.getByLabel("Salt").fill("0".repeat(64));
      await check.getByRole("button", { name: "Check my entry" }).click();
      await expect(check.getByTestId("queue-check-result")).toHaveAttribute("data-found", "false");
      await expect(check.getByTestId("queue-check-result")).toContainText(
        "NOT in the published list",
      );
      await shot(page, `waiting-room-fairness-${size.name}-3-not-found`);
    });

    await test.step("drawn, the order page names the draw's leaf in the public log", async () => {
      const started = await request.patch(`/api/v1/admin/drops/${dropId}`, {
        headers: { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` },
        data: { start: true },
      });
      expect(started.status(), await started.text()).toBe(200);
      await expect(async () => {
        await page.reload();
        await expect(page.getByTestId("queue-draw-leaf")).toHaveText(/^leaf \d+$/, {
          timeout: 1_000,
        });
      }).toPass({ timeout: 60_000 });
    });

    await test.step("after the draw, the entry has its position and the log holds the draw", async () => {
      await check.getByRole("button", { name: "Check my entry" }).click();
      await expect(check.getByTestId("queue-check-position")).toHaveText(
        /^The drawn order puts it at position [12]\.$/,
      );
      await expect(check.getByTestId("queue-check-ledger")).toHaveAttribute("data-ok", "true");
      await page.getByRole("button", { name: "Replay the order in your browser" }).click();
      const replay = page.getByTestId("queue-replay");
      await expect(replay.getByTestId("queue-replay-result")).toHaveAttribute("data-ok", "true");
      await expect(replay).toContainText("Entries fixed in the ledger");
      await expect(replay).toContainText("2 pre-queue place(s)");
      await shot(page, `waiting-room-fairness-${size.name}-4-checked-after`);
    });

    await test.step("the leaf's page shows the draw", async () => {
      await page.getByTestId("queue-draw-leaf").getByRole("link").click();
      await expect(page.getByTestId("entry-kind")).toHaveText("Waiting-room draw");
      await expect(page.getByTestId("entry-facts")).toContainText("Pre-queue places");
      await shot(page, `waiting-room-fairness-${size.name}-5-ledger-entry`);
    });

    await test.step("the replay command checks the leaf in the public log too", async () => {
      const { stdout } = await promisify(execFile)(
        "node",
        tsxArgs("scripts/replay-queue.ts", "--url", BASE_URL, "--drop", dropId),
      );
      expect(stdout).toContain("✓ Entries fixed in the ledger");
      expect(stdout).toContain("✓ Draw entry in the public log");
      expect(stdout).toContain("Order verified.");
    });
  });
}
