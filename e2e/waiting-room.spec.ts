/**
 * The waiting room from every side, at desktop and phone size: players join a drop's pre-queue
 * (in the browser and through the API), the drop starts and the pre-queue is drawn, a later
 * arrival queues at the back and sees its place, a claim without admission is refused, the admin
 * raises the admission rate on the drop's page, the admitted player claims with the token, and the
 * public order replays in the browser from the revealed seed. Each run makes its own drop and
 * players; the drop starts an hour ahead, and the admin starts it now once the players have
 * joined: nothing waits for the clock.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type APIRequestContext, type Browser, expect, type Page, test } from "@playwright/test";
import { tsxArgs } from "../scripts/lib/runtime";
import { BASE_URL } from "./constants";
import {
  ADMIN_EMAIL,
  apiToken,
  browserLocalInput,
  createPlayer,
  otherClientIp,
  serverTime,
  shot,
  signIn,
} from "./helpers";

/** A drop starts this far ahead of its making; the admin starts it sooner ("start now"). */
const START_AHEAD_MS = 3_600_000;

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

type Player = { id: string; email: string; password: string };
type QueueView = { state: string; position: number | null; seedHash: string; pseudonym: string };

const bearer = async (request: APIRequestContext, player: Player) => ({
  authorization: `Bearer ${await apiToken(request, player.email, player.password)}`,
});

/** The admin starts the drop now through the API; the worker then draws its pre-queue. */
async function startNow(request: APIRequestContext, dropId: string) {
  const res = await request.patch(`/api/v1/admin/drops/${dropId}`, {
    headers: { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` },
    data: { start: true },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** The player's own view of the room through the API, once it is in `state`. */
async function untilState(request: APIRequestContext, player: Player, url: string, state: string) {
  const headers = await bearer(request, player);
  await expect
    .poll(async () => ((await (await request.get(url, { headers })).json()) as QueueView).state, {
      timeout: 60_000,
    })
    .toBe(state);
}

/**
 * A first-come drop of a new gift card with pool codes, starting `leadMs` from now by the server's
 * clock, with its waiting room on and open at once, letting in by default one player a minute:
 * only the first of the draw may be let in before the admin raises the rate.
 */
async function queuedDrop(
  request: APIRequestContext,
  tag: string,
  leadMs: number,
  room: { admissionRatePerMinute: number; admissionTtlSeconds?: number } = {
    admissionRatePerMinute: 1,
  },
) {
  const admin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
  const prize = await request.post("/api/v1/admin/prizes", {
    headers: admin,
    data: { name: `E2E Queue Card ${tag}`, kind: "gift_card", value: 5, quantity: 5 },
  });
  expect(prize.status(), await prize.text()).toBe(201);
  const prizeId = ((await prize.json()) as { id: string }).id;
  const codes = Array.from({ length: 5 }, (_, i) => `E2E-QUEUE-${tag}-${i}`.toUpperCase());
  const imported = await request.post(`/api/v1/admin/prizes/${prizeId}/codes`, {
    headers: admin,
    data: { csv: ["code", ...codes].join("\n") },
  });
  expect(imported.status(), await imported.text()).toBe(201);
  const startsAt = (await serverTime(request)) + leadMs;
  const created = await request.post("/api/v1/admin/drops", {
    headers: admin,
    data: {
      title: `E2E Queue Drop ${tag}`,
      prizeId,
      units: 5,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 3_600_000).toISOString(),
      waitingRoom: { enabled: true, preQueueMinutes: 120, ...room },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

/** A page of its own, at `viewport`, signed in as `email`. */
async function signedInPage(
  browser: Browser,
  viewport: { width: number; height: number },
  email: string,
  password?: string,
): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await signIn(page, email, password);
  return page;
}

for (const size of SIZES) {
  test(`players queue, the order is drawn fairly, and the admitted player claims (${size.name})`, async ({
    page,
    browser,
    request,
  }) => {
    test.setTimeout(300_000);
    const tag = `${size.name}-${Date.now().toString(36)}`;
    const early: Array<Record<string, string>> = [];
    for (const prefix of ["queue-a", "queue-b", "queue-c"]) {
      early.push(await bearer(request, await createPlayer(request, prefix)));
    }
    const player = await createPlayer(request, "queue-page");
    const late = await createPlayer(request, "queue-late");
    await page.setViewportSize(size.viewport);
    await signIn(page, player.email, player.password);
    const latePage = await signedInPage(browser, size.viewport, late.email, late.password);
    const dropId = await queuedDrop(request, tag, START_AHEAD_MS);
    const room = page.getByTestId("waiting-room");

    await test.step("a visitor is told the drop has a waiting room and to sign in", async () => {
      const visitor = await (await browser.newContext({ viewport: size.viewport })).newPage();
      await visitor.goto(`/drops/${dropId}`);
      await expect(visitor.getByTestId("queue-sign-in")).toContainText(
        "This drop has a waiting room",
      );
      await expect(visitor.getByRole("link", { name: "Sign in to join the queue" })).toBeVisible();
      await shot(visitor, `waiting-room-${size.name}-1-visitor`);
      await visitor.context().close();
    });

    await test.step("three players join the pre-queue through the API; joining twice keeps the place", async () => {
      for (const auth of early) {
        const first = await request.post(`/api/v1/drops/${dropId}/queue`, { headers: auth });
        expect(first.ok(), await first.text()).toBe(true);
        const again = await request.post(`/api/v1/drops/${dropId}/queue`, { headers: auth });
        expect(again.status(), await again.text()).toBe(200);
        const view = (await again.json()) as QueueView;
        expect(view.state).toBe("pre_queue");
        expect(view.pseudonym).toBe(((await first.json()) as QueueView).pseudonym);
      }
    });

    let seedHash = "";
    await test.step("a player joins on the page: in the queue, with the seed's commitment", async () => {
      await page.goto(`/drops/${dropId}`);
      await expect(room).toHaveAttribute("data-state", "not_joined");
      await expect(page.getByTestId("queue-not-joined")).toContainText("random order");
      await shot(page, `waiting-room-${size.name}-2-pre-queue-open`);
      await page.getByRole("button", { name: "Join the queue" }).click();
      await expect(page.getByTestId("queue-joined")).toContainText(
        "You're in the queue; the order is drawn at the start",
      );
      seedHash = (await page.getByTestId("queue-seed-hash").textContent()) ?? "";
      expect(seedHash).toMatch(/^[0-9a-f]{64}$/);
      await shot(page, `waiting-room-${size.name}-3-joined`);
      // The place is the account's: back on the page, it is still there.
      await page.reload();
      await expect(page.getByTestId("queue-joined")).toBeVisible();
    });

    await test.step("the player leaves the pre-queue, is told what joining again means, and rejoins", async () => {
      await expect(room).toContainText("joining again gives you the same chance");
      await page.getByRole("button", { name: "Leave the queue" }).click();
      await expect(room).toHaveAttribute("data-state", "not_joined");
      await shot(page, `waiting-room-${size.name}-3b-left`);
      await page.getByRole("button", { name: "Join the queue" }).click();
      await expect(page.getByTestId("queue-joined")).toBeVisible();
    });

    await test.step("a player who left three times is told in words they cannot join again", async () => {
      const leaver = await createPlayer(request, "queue-leaver");
      const auth = await bearer(request, leaver);
      for (let i = 0; i < 3; i++) {
        expect((await request.post(`/api/v1/drops/${dropId}/queue`, { headers: auth })).ok()).toBe(
          true,
        );
        expect(
          (await request.delete(`/api/v1/drops/${dropId}/queue`, { headers: auth })).ok(),
        ).toBe(true);
      }
      const leaverPage = await signedInPage(browser, size.viewport, leaver.email, leaver.password);
      await leaverPage.goto(`/drops/${dropId}`);
      await leaverPage.getByRole("button", { name: "Join the queue" }).click();
      await expect(leaverPage.getByTestId("queue-error")).toContainText(
        "You have left this waiting room 3 times, so you cannot join it again",
      );
      await shot(leaverPage, `waiting-room-${size.name}-3c-left-too-often`);
      await leaverPage.context().close();
    });

    await test.step("the public order page shows the commitment and the entries, the seed still secret", async () => {
      await page.goto(`/drops/${dropId}/queue`);
      await expect(page.getByTestId("queue-seed-hash")).toHaveText(seedHash);
      await expect(page.getByTestId("queue-seed-secret")).toBeVisible();
      await expect(page.getByTestId("queue-entry-count")).toHaveText("4");
      await expect(page.getByTestId("queue-entries").getByText("(you)")).toHaveCount(1);
      await shot(page, `waiting-room-${size.name}-4-proof-before-start`);
    });

    await test.step("the entries are listed a page at a time; a page that is no number is said so", async () => {
      await page.goto(`/drops/${dropId}/queue?limit=3`);
      await expect(page.getByTestId("queue-page-info")).toHaveText("1–3 of 4");
      await expect(page.getByTestId("queue-entries").locator("tbody tr")).toHaveCount(3);
      await page.getByRole("link", { name: "Later →" }).click();
      await expect(page.getByTestId("queue-page-info")).toHaveText("4 of 4");
      await expect(page.getByTestId("queue-entries").locator("tbody tr")).toHaveCount(1);
      await shot(page, `waiting-room-${size.name}-4b-proof-paged`);
      await page.goto(`/drops/${dropId}/queue?after=-1`);
      await expect(page.getByTestId("queue-page-error")).toContainText("after cannot be negative");
      const proof = `/api/v1/drops/${dropId}/queue/proof`;
      const paged = await request.get(`${proof}?limit=3`);
      expect(paged.status(), await paged.text()).toBe(200);
      const body = (await paged.json()) as { entries: unknown[]; page: { next: number | null } };
      expect(body.entries).toHaveLength(3);
      expect(body.page.next).toBe(3);
      const refused = await request.get(`${proof}?limit=100000`);
      expect(refused.status()).toBe(400);
      expect(await refused.text()).toContain("limit is at most 1,000");
    });

    const adminPage = await signedInPage(browser, size.viewport, ADMIN_EMAIL);
    const section = adminPage.getByTestId("admin-waiting-room");
    await test.step("the admin starts the drop now, after confirming; the pre-queue is drawn", async () => {
      await adminPage.goto(`/admin/drops/${dropId}`);
      const start = adminPage.getByTestId("drop-start-now");
      await expect(start).toContainText("Its waiting room's pre-queue is drawn within seconds");
      await start.getByRole("button", { name: "Start now" }).click();
      await expect(start.getByText("Tick the box to confirm")).toBeVisible();
      await shot(adminPage, `waiting-room-${size.name}-5a-start-now`);
      await start.getByLabel("Yes, start this drop now").check();
      await start.getByRole("button", { name: "Start now" }).click();
      await expect(adminPage.getByTestId("pause-toggle")).toBeVisible();
      await expect(section).toContainText("The pre-queue was drawn");
      await shot(adminPage, `waiting-room-${size.name}-5b-started`);
    });

    await test.step("the player's page shows the place drawn", async () => {
      await page.goto(`/drops/${dropId}`);
      // One a minute: the first in the draw may be let in at once, the others wait.
      await expect(
        page.getByTestId("queue-place").or(page.getByTestId("queue-admitted")),
      ).toBeVisible();
    });

    await test.step("a later arrival queues at the back and sees its place and wait", async () => {
      await latePage.goto(`/drops/${dropId}`);
      await expect(latePage.getByTestId("queue-not-joined")).toContainText(
        "joining puts you at the back of the queue",
      );
      await latePage.getByRole("button", { name: "Join the queue" }).click();
      await expect(latePage.getByTestId("queue-position")).toHaveText("5");
      await expect(latePage.getByTestId("queue-ahead")).toHaveText(/^[1-4]$/);
      await expect(latePage.getByTestId("queue-wait")).toContainText("minute");
      await expect(latePage.getByTestId("waiting-room")).toContainText(
        "Leaving the queue gives up your place",
      );
      await shot(latePage, `waiting-room-${size.name}-5-waiting`);
    });

    await test.step("a claim through the API while still waiting is refused, in words", async () => {
      const res = await request.post(`/api/v1/drops/${dropId}/claims`, {
        headers: { ...(await bearer(request, late)), "x-forwarded-for": otherClientIp() },
      });
      expect(res.status(), await res.text()).toBe(403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("admission_required");
      expect(body.error.message).not.toBe("");
    });

    await test.step("the admin sees the room live and raises the rate", async () => {
      await adminPage.goto(`/admin/drops/${dropId}`);
      await expect(section.getByTestId("queue-rate")).toHaveText("1/min");
      await expect(section.getByTestId("queue-length")).not.toHaveText("0");
      await shot(adminPage, `waiting-room-${size.name}-6-admin`);
      const rate = section.getByLabel("New rate (players let in per minute)");
      await rate.fill("0");
      await section.getByRole("button", { name: "Change the rate" }).click();
      await expect(section.getByText("Admit at least one player a minute")).toBeVisible();
      await rate.fill("1000");
      await section.getByRole("button", { name: "Change the rate" }).click();
      await expect(section.getByRole("status")).toHaveText("Players are now let in 1,000 a minute");
      await expect(section.getByTestId("queue-rate")).toHaveText("1,000/min");
      await expect(section.getByTestId("queue-length")).toHaveText("0");
      await shot(adminPage, `waiting-room-${size.name}-7-admin-raised`);
      await adminPage.context().close();
    });

    await test.step("the later arrival is let in, and claims with the token before it expires", async () => {
      // Far back, the page reads its place rarely: back on it, the player sees the turn at once.
      await latePage.reload();
      const admitted = latePage.getByTestId("queue-admitted");
      await expect(admitted).toContainText("It's your turn");
      await expect(latePage.getByTestId("admission-left")).toHaveText(/^\d\d:\d\d:\d\d$/);
      await shot(latePage, `waiting-room-${size.name}-8-admitted`);
      await latePage.getByRole("button", { name: "Claim one unit" }).click();
      await expect(latePage).toHaveURL(/\/redemptions\/[0-9a-f-]{36}/);
      await expect(latePage.getByTestId("claim-success")).toBeVisible();
      await latePage.context().close();
    });

    await test.step("the order page reveals the seed, marks the player's place and replays", async () => {
      await page.goto(`/drops/${dropId}/queue`);
      await expect(page.getByTestId("queue-seed")).toHaveText(/^[0-9a-f]{64}$/);
      await expect(page.getByTestId("queue-order").locator("li")).toHaveCount(5);
      await expect(page.getByTestId("queue-order").getByText("(you)")).toHaveCount(1);
      await page.getByRole("button", { name: "Replay the order in your browser" }).click();
      const result = page.getByTestId("queue-replay-result");
      await expect(result).toHaveAttribute("data-ok", "true");
      await expect(result).toContainText("The replay matches");
      await shot(page, `waiting-room-${size.name}-9-replayed`);
    });

    await test.step("the replay command the page names agrees", async () => {
      const { stdout } = await promisify(execFile)(
        "node",
        tsxArgs("scripts/replay-queue.ts", "--url", BASE_URL, "--drop", dropId),
      );
      expect(stdout).toContain("Order verified.");
    });
  });
}

for (const size of SIZES) {
  test(`the admin sets a drop's waiting room in the drop form (${size.name})`, async ({
    page,
    request,
  }) => {
    const name = `E2E Queue Form Prize ${size.name} ${Date.now().toString(36)}`;
    const admin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
    const prize = await request.post("/api/v1/admin/prizes", {
      headers: admin,
      data: { name, kind: "physical", value: 5, quantity: 2 },
    });
    expect(prize.status(), await prize.text()).toBe(201);
    await page.setViewportSize(size.viewport);
    await signIn(page, ADMIN_EMAIL);
    const box = page.getByLabel("Waiting room on");
    // Not the live section's "New rate (players let in per minute)" of an upcoming drop's page.
    const rate = page.getByLabel(/^Players let in per minute/);

    await test.step("a new drop's box follows its size until the admin says otherwise", async () => {
      await page.goto("/admin/drops");
      await page.getByLabel("Title").fill(`E2E Queue Form Drop ${size.name}`);
      const pool = page.getByTestId("pool-row").first();
      await pool.getByLabel("Prize").selectOption({ label: `${name} (2 unallocated)` });
      await pool.getByLabel("Units").fill("1000");
      await expect(box).toBeChecked();
      await pool.getByLabel("Units").fill("2");
      await expect(box).not.toBeChecked();
      await expect(page.getByTestId("waiting-room-fields")).toContainText(
        "On by default for a drop of 1,000 units or more",
      );
      await shot(page, `waiting-room-form-${size.name}-1-new`);
    });

    await test.step("a rate of none is refused beside its field; nothing typed is lost", async () => {
      const now = await serverTime(request);
      await page
        .getByLabel("Starts (your local time)")
        .fill(await browserLocalInput(page, now + 3_600_000));
      await page
        .getByLabel("Ends (your local time)")
        .fill(await browserLocalInput(page, now + 7_200_000));
      await box.check();
      await page.getByLabel("Pre-queue opens (minutes before the start)").fill("30");
      await rate.fill("0");
      await page.getByRole("button", { name: "Create drop" }).click();
      await expect(page.getByText("Admit at least one player a minute")).toBeVisible();
      await expect(rate).toHaveAttribute("aria-invalid", "true");
      await expect(box).toBeChecked();
      await shot(page, `waiting-room-form-${size.name}-2-refused`);
    });

    await test.step("created with the room on, the drop's page shows it as saved", async () => {
      await rate.fill("50");
      await page.getByRole("button", { name: "Create drop" }).click();
      await expect(page).toHaveURL(/\/admin\/drops\/[0-9a-f-]{36}\?created=1$/);
      await expect(box).toBeChecked();
      await expect(page.getByLabel("Pre-queue opens (minutes before the start)")).toHaveValue("30");
      await expect(rate).toHaveValue("50");
      await expect(page.getByLabel("Seconds each has to claim")).toHaveValue("180");
      await expect(page.getByTestId("admin-waiting-room").getByTestId("queue-rate")).toHaveText(
        "50/min",
      );
      await shot(page, `waiting-room-form-${size.name}-3-created`);
    });
  });
}

for (const size of SIZES) {
  test(`an admission not used in time says so, and the player joins again (${size.name})`, async ({
    page,
    request,
  }) => {
    test.setTimeout(240_000);
    const player = await createPlayer(request, "queue-expiry");
    await page.setViewportSize(size.viewport);
    await signIn(page, player.email, player.password);
    const dropId = await queuedDrop(
      request,
      `expiry-${size.name}-${Date.now().toString(36)}`,
      START_AHEAD_MS,
      {
        admissionRatePerMinute: 1000,
        admissionTtlSeconds: 30,
      },
    );
    await page.goto(`/drops/${dropId}`);
    await page.getByRole("button", { name: "Join the queue" }).click();
    await expect(page.getByTestId("queue-joined")).toBeVisible();

    await test.step("let in at the start, the player does not claim: the page says the turn passed", async () => {
      await startNow(request, dropId);
      await untilState(request, player, `/api/v1/drops/${dropId}/queue`, "admitted");
      await page.reload();
      await expect(page.getByTestId("queue-admitted")).toBeVisible();
      // The admission lasts 30 s: the page counts it down and then says what to do.
      const expired = page.getByTestId("queue-expired");
      await expect(expired).toBeVisible({ timeout: 60_000 });
      await expect(expired).toContainText("Join again to get a new place at the back");
      await expect(page.getByRole("button", { name: "Claim one unit" })).toHaveCount(0);
      await shot(page, `waiting-room-${size.name}-10-expired`);
    });

    await test.step("joining again gives a place at the back, and a new turn", async () => {
      await page.getByRole("button", { name: "Join the queue again" }).click();
      await expect(page.getByTestId("queue-admitted")).toBeVisible();
      await expect(page.getByRole("button", { name: "Claim one unit" })).toBeEnabled();
      await shot(page, `waiting-room-${size.name}-11-admitted-again`);
    });
  });
}
