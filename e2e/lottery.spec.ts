import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { tsxArgs } from "../scripts/lib/runtime";
import { BASE_URL } from "./constants";
import {
  ADMIN_EMAIL,
  apiToken,
  createPlayer,
  endLotteryAndAwaitDraw,
  shot,
  signIn,
} from "./helpers";

type Transcript = {
  seedHash: string;
  seed: string | null;
  drawnAt: string | null;
  entries: Array<{ entrant: string; weight: number }>;
  winners: string[] | null;
};

async function transcript(request: APIRequestContext, dropId: string): Promise<Transcript> {
  const res = await request.get(`/api/v1/drops/${dropId}/lottery`);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as Transcript;
}

/**
 * A live lottery of a new prize's units, open for an hour: the spec ends it itself once its
 * players have entered, so a slow machine never closes the window on them.
 */
async function createLottery(
  request: APIRequestContext,
  options: { prizeName: string; kind: "crypto" | "physical"; title: string; units: number },
): Promise<{ dropId: string; admin: Record<string, string> }> {
  const admin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
  const prize = await request.post("/api/v1/admin/prizes", {
    headers: admin,
    data: { name: options.prizeName, kind: options.kind, value: 5, quantity: options.units },
  });
  expect(prize.status(), await prize.text()).toBe(201);
  const prizeId = ((await prize.json()) as { id: string }).id;
  const created = await request.post("/api/v1/admin/drops", {
    headers: admin,
    data: {
      title: options.title,
      prizeId,
      units: options.units,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      allocation: "lottery",
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  return { dropId: ((await created.json()) as { id: string }).id, admin };
}

/** Ends the lottery, waits for the worker's draw and returns the transcript's draw time. */
async function endAndDraw(
  request: APIRequestContext,
  admin: Record<string, string>,
  dropId: string,
): Promise<string> {
  await endLotteryAndAwaitDraw(request, admin, dropId);
  return (await transcript(request, dropId)).drawnAt as string;
}

test.describe("lottery", () => {
  test("a player enters the draw, and after it anyone can replay it from the revealed seed", async ({
    page,
    request,
  }) => {
    const suffix = Date.now().toString(36);
    const { dropId, admin } = await createLottery(request, {
      prizeName: `E2E Lottery Token ${suffix}`,
      kind: "crypto",
      title: `E2E Lottery ${suffix}`,
      units: 2,
    });
    const committed = (await transcript(request, dropId)).seedHash;
    expect(committed).toMatch(/^[0-9a-f]{64}$/);

    await test.step("two players enter through the API; entering twice is the same entry", async () => {
      for (const prefix of ["lottery-a", "lottery-b"]) {
        const p = await createPlayer(request, prefix);
        const auth = { authorization: `Bearer ${await apiToken(request, p.email, p.password)}` };
        const first = await request.post(`/api/v1/drops/${dropId}/entries`, { headers: auth });
        expect(first.status(), await first.text()).toBe(201);
        const again = await request.post(`/api/v1/drops/${dropId}/entries`, { headers: auth });
        expect(again.status()).toBe(200);
        expect(await again.json()).toEqual(await first.json());
      }
    });

    const player = await createPlayer(request, "lottery-page");
    await test.step("a player enters on the page, which shows the commitment but not the seed", async () => {
      await signIn(page, player.email, player.password);
      await page.goto(`/drops/${dropId}/lottery`);
      await expect(page.getByTestId("lottery-seed-hash")).toHaveText(committed);
      await expect(page.getByTestId("lottery-seed-secret")).toBeVisible();
      await expect(page.getByTestId("lottery-entry-count")).toHaveText("2");
      await page.getByRole("button", { name: "Enter the draw" }).click();
      await expect(page.getByTestId("lottery-entered")).toContainText("weight 1");
      await page.reload();
      await expect(page.getByTestId("lottery-entry-count")).toHaveText("3");
      await expect(page.getByTestId("lottery-entered")).toBeVisible();
      await shot(page, "lottery-01-entered");
    });

    await test.step("the admin ends the drop; the worker draws it", async () => {
      await endAndDraw(request, admin, dropId);
      const t = await transcript(request, dropId);
      expect(t.seedHash).toBe(committed);
      expect(
        createHash("sha256")
          .update(Buffer.from(t.seed ?? "", "hex"))
          .digest("hex"),
      ).toBe(committed);
      expect(t.entries).toHaveLength(3);
      expect(t.winners).toHaveLength(2);
    });

    await test.step("the page reveals the seed and winners, and the browser replay matches", async () => {
      await page.reload();
      await expect(page.getByTestId("lottery-seed")).toHaveText(/^[0-9a-f]{64}$/);
      await expect(page.getByTestId("lottery-winners").locator("li")).toHaveCount(2);
      await expect(page.getByRole("button", { name: "Enter the draw" })).toHaveCount(0);
      await shot(page, "lottery-02-drawn");
      await page.getByRole("button", { name: "Replay the draw in your browser" }).click();
      const result = page.getByTestId("lottery-replay-result");
      await expect(result).toHaveAttribute("data-ok", "true");
      await expect(result).toContainText("The replay matches");
      await shot(page, "lottery-03-replayed");
    });

    await test.step("the replay script agrees, and exits 1 on a tampered transcript", async () => {
      const run = promisify(execFile);
      const { stdout } = await run(
        "node",
        tsxArgs("scripts/replay-lottery.ts", "--url", BASE_URL, "--drop", dropId),
      );
      expect(stdout).toContain("Draw verified.");
      const t = await transcript(request, dropId);
      const tampered = test.info().outputPath("tampered.json");
      await writeFile(
        tampered,
        JSON.stringify({ ...t, winners: [...(t.winners ?? [])].reverse() }),
      );
      const failed = await run(
        "node",
        tsxArgs("scripts/replay-lottery.ts", "--file", tampered),
      ).then(
        () => 0,
        (error: { code: number; stdout: string }) => {
          expect(error.stdout).toContain("Draw NOT verified.");
          return error.code;
        },
      );
      expect(failed).toBe(1);
    });

    await test.step("a first-come drop has no lottery", async () => {
      const drops = (await (await request.get("/api/v1/drops")).json()) as {
        drops: Array<{ id: string; allocation?: string }>;
      };
      const fcfs = drops.drops.find((d) => d.allocation !== "lottery");
      if (fcfs) {
        expect((await request.get(`/api/v1/drops/${fcfs.id}/lottery`)).status()).toBe(404);
      }
    });
  });

  test("a physical prize won in a draw: the winner gets 72 hours from the draw, in the app and by mail", async ({
    page,
    request,
  }) => {
    const suffix = Date.now().toString(36);
    const prizeName = `E2E Lottery Bike ${suffix}`;
    const title = `E2E Bike Lottery ${suffix}`;
    const { dropId, admin } = await createLottery(request, {
      prizeName,
      kind: "physical",
      title,
      units: 1,
    });

    const player = await createPlayer(request, "lottery-winner");
    await signIn(page, player.email, player.password);
    await page.goto(`/drops/${dropId}`);
    await page.getByRole("button", { name: "Enter the draw" }).click();
    await expect(page.getByTestId("lottery-entered")).toBeVisible();

    const drawnAt = await endAndDraw(request, admin, dropId);

    await test.step("the deadline is counted from the draw, not from the drop's end", async () => {
      const auth = {
        authorization: `Bearer ${await apiToken(request, player.email, player.password)}`,
      };
      const list = (await (await request.get("/api/v1/redemptions", { headers: auth })).json()) as {
        redemptions: Array<{ status: string; actionDeadline: string; wonInDraw: boolean }>;
      };
      expect(list.redemptions).toHaveLength(1);
      const [won] = list.redemptions;
      expect(won?.status).toBe("awaiting_action");
      expect(won?.wonInDraw).toBe(true);
      expect(Date.parse(won?.actionDeadline ?? "") - Date.parse(drawnAt)).toBe(72 * 3_600_000);
    });

    for (const [size, viewport] of [
      ["desktop", { width: 1280, height: 800 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      await test.step(`the winner is told on the drop page and in their redemptions (${size})`, async () => {
        await page.setViewportSize(viewport);
        await page.goto(`/drops/${dropId}`);
        await expect(page.getByTestId("lottery-won")).toContainText(
          "You won in the draw! Give your shipping address by",
        );
        await shot(page, `lottery-04-won-drop-${size}`);
        await page.goto("/redemptions");
        const notice = page.getByTestId("lottery-win-notice");
        await expect(notice).toContainText(`You won ${prizeName} in the draw of ${title}`);
        await expect(notice).toContainText(/by \d{1,2} \w{3} \d{4}/);
        await shot(page, `lottery-05-won-redemptions-${size}`);
        await notice.getByRole("link", { name: "Give your shipping address" }).click();
        await expect(page.getByTestId("shipping-form")).toBeVisible();
        await expect(page.getByTestId("lottery-win-notice")).toBeVisible();
        await shot(page, `lottery-06-won-redemption-${size}`);
      });
    }

    await test.step("the worker mails the winner once", async () => {
      const mail = page
        .getByTestId("mail-message")
        .filter({ hasText: `You won ${prizeName} in the draw of ${title}` });
      await expect
        .poll(async () => {
          await page.goto(`/dev/mailbox?to=${encodeURIComponent(player.email)}`);
          return mail.count();
        })
        .toBe(1);
      await expect(mail).toContainText("tell us where to send it by");
      await shot(page, "lottery-07-won-mail-phone");
    });
  });
});
