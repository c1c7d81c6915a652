/**
 * A parcel from claim to doorstep: a player claims a physical prize and gives an address; an
 * admin marks it packed, shipped (carrier and tracking number, refused without them) and
 * delivered, one step at a time, while the player's page shows each step without a reload. Then
 * the player downloads the claim and delivery receipts together and /verify proves claimed →
 * delivered; the delivery receipt alone verifies but says the claim receipt is missing.
 */
import fs from "node:fs";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { ADMIN_EMAIL, apiToken, createPlayer, shot, signIn, UUID } from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

const TRACKING = "JD0146 0000 42";

/** A first-come drop of a new physical prize, open now for an hour. */
async function createParcelDrop(request: APIRequestContext, title: string): Promise<string> {
  const admin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
  const prize = await request.post("/api/v1/admin/prizes", {
    headers: admin,
    data: { name: `${title} hoodie`, kind: "physical", value: 60, quantity: 1 },
  });
  expect(prize.status(), await prize.text()).toBe(201);
  const drop = await request.post("/api/v1/admin/drops", {
    headers: admin,
    data: {
      title,
      prizeId: ((await prize.json()) as { id: string }).id,
      units: 1,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(drop.status(), await drop.text()).toBe(201);
  return ((await drop.json()) as { id: string }).id;
}

/** Where the player's page shows the parcel: each step's state, in order. */
async function expectSteps(page: Page, states: [string, string, string]): Promise<void> {
  for (const [i, id] of (["packed", "shipped", "delivered"] as const).entries()) {
    await expect(page.getByTestId(`delivery-step-${id}`), id).toHaveAttribute(
      "data-state",
      states[i] as string,
    );
  }
}

async function expectNoSidewaysScroll(page: Page, viewportWidth: number): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(viewportWidth);
}

for (const size of SIZES) {
  test(`an admin ships a parcel step by step; the player sees each and verifies both receipts (${size.name})`, async ({
    page,
    browser,
    request,
  }) => {
    // Two browsers, three admin steps, two anchorings and two verifications: a long journey.
    test.setTimeout(300_000);
    await page.setViewportSize(size.viewport);
    const suffix = `${size.name}-${Date.now().toString(36)}`;
    const dropId = await createParcelDrop(request, `E2E Parcel ${suffix}`);
    const player = await createPlayer(request, `parcel-${size.name}`);
    await signIn(page, player.email, player.password);

    let redemptionId = "";
    await test.step("the player claims the prize and gives an address", async () => {
      await page.goto(`/drops/${dropId}`);
      await page.getByRole("button", { name: "Claim one unit" }).click();
      await expect(page).toHaveURL(new RegExp(`/redemptions/(${UUID.source})\\?claimed=1$`));
      redemptionId = new URL(page.url()).pathname.split("/").pop() ?? "";
      await page.getByLabel("Full name").fill("Alice Example");
      await page.locator('input[name="line1"]').fill("1 Main Street");
      await page.getByLabel("City").fill("Springfield");
      await page.getByLabel("Postal code").fill("12345");
      await page.getByLabel(/Country/).fill("us");
      await page.getByRole("button", { name: "Confirm shipping address" }).click();
      await expect(page.getByTestId("shipping-confirmed")).toBeVisible();
      await expectSteps(page, ["current", "todo", "todo"]);
      await expect(page.getByTestId("delivery-status")).toHaveText("Being packed");
    });

    const adminContext = await browser.newContext({ viewport: size.viewport });
    const admin = await adminContext.newPage();
    try {
      await signIn(admin, ADMIN_EMAIL);
      await admin.goto(`/admin/redemptions/${redemptionId}`);
      const form = admin.getByRole("form", { name: "Shipment step" });

      await test.step("only packing is offered first; the player sees it packed", async () => {
        await expect(form.getByRole("button")).toHaveText("Mark packed");
        await shot(admin, `shipping-01-admin-pack-${size.name}`);
        await form.getByRole("button", { name: "Mark packed" }).click();
        await expect(admin.getByTestId("shipment-notice")).toContainText("Marked packed");
        await expect(form.getByRole("button")).toHaveText("Mark shipped");
        await expectSteps(page, ["done", "current", "todo"]);
        await expect(page.getByTestId("delivery-status")).toHaveText("Packed");
        await shot(page, `shipping-02-player-packed-${size.name}`);
      });

      await test.step("shipping needs a carrier and a well-formed tracking number", async () => {
        await form.getByRole("button", { name: "Mark shipped" }).click();
        await expect(form.getByText("Name the carrier")).toBeVisible();
        await expect(form.getByText("Give the tracking number")).toBeVisible();
        await form.getByLabel("Carrier").fill("DHL");
        await form.getByLabel("Tracking number").fill("#1");
        await form.getByRole("button", { name: "Mark shipped" }).click();
        await expect(form.getByText("A tracking number is 4 to 40 letters")).toBeVisible();
        await expect(form.getByLabel("Carrier")).toHaveValue("DHL");
        await shot(admin, `shipping-03-admin-ship-errors-${size.name}`);
        // Nothing was recorded: the player still sees it packed.
        await expectSteps(page, ["done", "current", "todo"]);
        await form.getByLabel("Tracking number").fill(TRACKING);
        await form.getByRole("button", { name: "Mark shipped" }).click();
        await expect(admin.getByTestId("shipment-notice")).toContainText("Marked shipped");
        await expect(admin.getByTestId("delivery-reference")).toHaveText(TRACKING);
        await expect(admin.getByTestId("delivery-shipment")).toHaveText("shipped by DHL");
        await expectSteps(page, ["done", "done", "current"]);
        await expect(page.getByTestId("delivery-step-shipped-detail")).toHaveText(
          `DHL · tracking ${TRACKING}`,
        );
        await shot(page, `shipping-04-player-shipped-${size.name}`);
      });

      await test.step("delivered: the step is audited and the player sees it", async () => {
        await form.getByRole("button", { name: "Mark delivered" }).click();
        await expect(admin.getByTestId("shipment-notice")).toContainText("Marked delivered");
        await expect(form.getByRole("button")).toHaveCount(0);
        await admin.reload();
        await expect(admin.getByTestId("shipment-idle")).toHaveText(
          "Delivered: the parcel has no step left.",
        );
        await expect(
          admin.locator('[data-testid="audit-row"][data-action="shipment_step"]'),
        ).toHaveCount(3);
        await shot(admin, `shipping-05-admin-delivered-${size.name}`);
        await expectSteps(page, ["done", "done", "done"]);
        await expect(page.getByTestId("delivery-status")).toHaveText("Delivered");
        // Delivered, the parcel still says who carried it, beside its tracking number.
        await expect(page.getByTestId("delivery-step-shipped-detail")).toHaveText(
          `DHL · tracking ${TRACKING}`,
        );
        await expectNoSidewaysScroll(page, size.viewport.width);
        await shot(page, `shipping-06-player-delivered-${size.name}`);
      });
    } finally {
      await adminContext.close();
    }

    let chainFile = "";
    await test.step("the player downloads both receipts once both are anchored and witnessed", async () => {
      // Offered only once both entries are on chain (a pending receipt is not a lasting proof):
      // the button appears on the open page, without a reload.
      await expect(page.getByTestId("receipt-chain-download")).toHaveAttribute(
        "data-state",
        "anchored",
        { timeout: 60_000 },
      );
      await expect(page.getByTestId("receipts-pending")).toHaveCount(0);
      // "anchored" is reached once the site's witnesses cosigned both, so the file verifies
      // with the site's quorum (until then the state is "anchored-unwitnessed").
      await expect(page.getByTestId("receipts-witnesses")).toHaveText("witnessed by 2 of 2");
      const downloading = page.waitForEvent("download");
      await page.getByTestId("download-receipts").click();
      const download = await downloading;
      expect(download.suggestedFilename()).toBe(`receipts-${redemptionId}.json`);
      chainFile = await download.path();
      const chain = JSON.parse(fs.readFileSync(chainFile, "utf8")) as {
        type: string;
        claim: { status: string; leaf: { salt: string } };
        delivery: { status: string; leaf: { salt: string } };
      };
      expect(chain.type).toBe("prizeledger/receipt-chain");
      expect(chain.claim.status).toBe("anchored");
      expect(chain.delivery.status).toBe("anchored");
      expect(chain.delivery.leaf.salt).toBe(chain.claim.leaf.salt);
    });

    await test.step("/verify proves claimed → delivered from the downloaded file", async () => {
      await page.goto("/verify");
      await page.getByTestId("receipt-file").setInputFiles(chainFile);
      await page.getByRole("button", { name: "Verify receipt" }).click();
      await expect(page.getByTestId("verdict")).toHaveText(
        "Verified: this redemption was claimed, then delivered",
      );
      await expect(page.getByTestId("chain-claim")).toHaveAttribute("data-state", "verified");
      await expect(page.getByTestId("chain-delivery")).toHaveAttribute("data-state", "verified");
      await expect(page.getByTestId("chain-pairing")).toContainText(redemptionId);
      await expect(page.getByTestId("claim-step-checkpoint")).toHaveAttribute("data-ok", "true");
      await expect(page.getByTestId("delivery-step-checkpoint")).toHaveAttribute("data-ok", "true");
      await expectNoSidewaysScroll(page, size.viewport.width);
      await shot(page, `shipping-07-verify-chain-${size.name}`);
    });

    await test.step("the delivery receipt alone verifies, with the claim receipt missing", async () => {
      const { delivery } = JSON.parse(fs.readFileSync(chainFile, "utf8")) as { delivery: unknown };
      await page.getByTestId("receipt-input").fill(JSON.stringify(delivery, null, 2));
      await page.getByRole("button", { name: "Verify receipt" }).click();
      await expect(page.getByTestId("verdict")).toHaveText(
        "Delivery receipt verified; claim receipt missing",
      );
      await expect(page.getByTestId("chain-claim")).toHaveAttribute("data-state", "missing");
      await expect(page.getByTestId("chain-delivery")).toHaveAttribute("data-state", "verified");
      await expect(page.getByTestId("chain-pairing")).toHaveAttribute("data-code", "claim_missing");
      await shot(page, `shipping-08-verify-delivery-alone-${size.name}`);
    });
  });
}
