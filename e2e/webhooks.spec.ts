import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { ADMIN_EMAIL, apiToken, createPlayer, shot, signIn } from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

/** An operator's receiver on this machine: answers 204 and keeps what it got. */
async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  stop: () => Promise<void>;
}> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Standard Webhooks verification, from the specification. */
function signedBy(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key)
    .update(`${r.headers["webhook-id"]}.${r.headers["webhook-timestamp"]}.${r.body}`)
    .digest("base64");
  return String(r.headers["webhook-signature"]).split(" ").includes(`v1,${mac}`);
}

/** A drop of its own (a prize needing no codes), open now, and a player's claim of it. */
async function claimFreshDrop(request: APIRequestContext, title: string): Promise<string> {
  const headers = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
  const prize = await request.post("/api/v1/admin/prizes", {
    headers,
    data: { name: `${title} prize`, kind: "crypto", value: 5, quantity: 2 },
  });
  expect(prize.status(), await prize.text()).toBe(201);
  const drop = await request.post("/api/v1/admin/drops", {
    headers,
    data: {
      title,
      prizeId: ((await prize.json()) as { id: string }).id,
      units: 2,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(drop.status(), await drop.text()).toBe(201);
  const dropId = ((await drop.json()) as { id: string }).id;
  const player = await createPlayer(request, "webhook");
  const token = await apiToken(request, player.email, player.password);
  const claim = await request.post(`/api/v1/drops/${dropId}/claims`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(claim.status(), await claim.text()).toBe(201);
  return ((await claim.json()) as { redemption: { id: string } }).redemption.id;
}

for (const size of SIZES) {
  test(`an operator's endpoint gets a signed webhook for a claim, and an admin replays it (${size.name})`, async ({
    page,
    request,
  }) => {
    await page.setViewportSize(size.viewport);
    const receiver = await startReceiver();
    const url = `${receiver.url}/hooks/${size.name}-${Date.now().toString(36)}`;
    try {
      let secret = "";
      await test.step("the admin adds an endpoint and sees its secret once", async () => {
        await signIn(page, ADMIN_EMAIL);
        await page.goto("/admin/webhooks");
        await page.getByLabel("URL").fill(url);
        await page.getByRole("button", { name: "Add endpoint" }).click();
        await expect(page.getByRole("status").filter({ hasText: "Endpoint added" })).toBeVisible();
        secret = (await page.getByTestId("webhook-secret").textContent()) ?? "";
        expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
        await expect(page.getByTestId("webhook-endpoint").filter({ hasText: url })).toContainText(
          "Enabled",
        );
        await shot(page, `webhooks-01-endpoint-added-${size.name}`);
      });

      const redemptionId = await claimFreshDrop(
        request,
        `E2E Webhook Drop ${size.name} ${Date.now().toString(36)}`,
      );
      const mine = () =>
        receiver.received.filter(
          (r) =>
            url.endsWith(r.path) &&
            r.body.includes(redemptionId) &&
            r.body.includes("redemption.created"),
        );

      await test.step("the claim reaches the endpoint, signed", async () => {
        await expect.poll(() => mine().length, { timeout: 30_000 }).toBe(1);
        const [got] = mine();
        expect(got && signedBy(secret, got)).toBe(true);
        expect(JSON.parse(got?.body ?? "{}")).toMatchObject({
          type: "redemption.created",
          data: { redemptionId },
        });
      });

      await test.step("the attempt is listed, and a replay sends the same webhook-id", async () => {
        await page
          .getByTestId("webhook-endpoint")
          .filter({ hasText: url })
          .getByRole("link")
          .click();
        const delivery = page
          .getByTestId("webhook-delivery")
          .filter({ hasText: "redemption.created" })
          .filter({ hasText: String(mine()[0]?.headers["webhook-id"]) });
        await expect(delivery.getByTestId("webhook-attempt")).toHaveCount(1);
        await expect(delivery.getByTestId("webhook-attempt")).toContainText("204");
        await expect(delivery).toContainText("delivered");
        await shot(page, `webhooks-02-attempt-listed-${size.name}`);

        await delivery.getByRole("button", { name: "Replay" }).click();
        await expect(delivery.getByRole("status")).toHaveText("Replay queued");
        await expect.poll(() => mine().length, { timeout: 30_000 }).toBe(2);
        const [first, again] = mine();
        expect(again?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
        expect(again && signedBy(secret, again)).toBe(true);
        await page.reload();
        await expect(delivery.getByTestId("webhook-attempt")).toHaveCount(2);
        await expect(delivery.getByTestId("webhook-attempt").nth(1)).toContainText("replay");
        await shot(page, `webhooks-03-replayed-${size.name}`);
      });

      await test.step("the admin disables the endpoint", async () => {
        await page.goto("/admin/webhooks");
        const endpoint = page.getByTestId("webhook-endpoint").filter({ hasText: url });
        await endpoint.getByRole("button", { name: "Disable" }).click();
        await expect(endpoint).toContainText("Disabled");
      });
    } finally {
      await receiver.stop();
    }
  });
}
