import { expect, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { embeddedPostgresUrl } from "../scripts/lib/embedded-postgres";
import { E2E_PG_PORT } from "./constants";
import {
  ADMIN_EMAIL,
  apiToken,
  createPlayer,
  findOpenDrop,
  LAUNCH_DROP,
  otherClientIp,
  shot,
  signIn,
} from "./helpers";

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

/** The e2e stack's own database: the test makes a delivery dead as the worker would leave one. */
const { db, sql: client } = createDb(embeddedPostgresUrl(E2E_PG_PORT), 2);
test.afterAll(() => client.end());

const LAST_ERROR = "The provider answered 503 (retries spent)";

for (const size of SIZES) {
  test.describe(size.name, () => {
    test.use({ viewport: size.viewport });

    test(`an admin sees a dead delivery and its dead job, and retries it until delivered (${size.name})`, async ({
      page,
      request,
    }) => {
      const player = await createPlayer(request, `dead-${size.name}`);
      const drop = await findOpenDrop(request, LAUNCH_DROP);
      if (!drop) throw new Error(`${LAUNCH_DROP} is not open`);
      const token = await apiToken(request, player.email, player.password);
      const claimed = await request.post(`/api/v1/drops/${drop.id}/claims`, {
        headers: { authorization: `Bearer ${token}`, "x-forwarded-for": otherClientIp() },
      });
      expect(claimed.status(), await claimed.text()).toBe(201);
      const redemptionId = ((await claimed.json()) as { redemption: { id: string } }).redemption.id;
      const deliveryStatus = async () => {
        const res = await request.get(`/api/v1/redemptions/${redemptionId}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return ((await res.json()) as { delivery: { status: string } | null }).delivery?.status;
      };

      await test.step("the worker delivers it; then it is made dead, as spent retries leave one", async () => {
        // Settled first, so the worker's own step cannot land after the test's.
        await expect.poll(deliveryStatus).toBe("delivered");
        await db.execute(sql`
          update deliveries set status = 'dead', attempts = 13,
                 last_error_code = 'provider_unavailable', last_error = ${LAST_ERROR}
          where redemption_id = ${redemptionId}`);
        await db.execute(sql`
          insert into pgboss.job (name, data, source_retry_count, source_output)
          values ('delivery_dead', ${JSON.stringify({ redemptionId })}::jsonb, 12,
                  ${JSON.stringify({ message: LAST_ERROR })}::jsonb)`);
      });

      await signIn(page, ADMIN_EMAIL);

      await test.step("the jobs page lists the dead delivery and its dead job", async () => {
        await page.goto("/admin");
        await page.getByRole("link", { name: "Jobs and deliveries" }).click();
        await expect(page.getByRole("heading", { name: "Jobs and deliveries" })).toBeVisible();
        const row = page.getByTestId("troubled-delivery").filter({ hasText: player.email });
        await expect(row.getByTestId("delivery-status")).toHaveText("dead");
        await expect(row).toContainText("giftcard");
        await expect(row).toContainText("13");
        await expect(row).toContainText(LAST_ERROR);
        const deadJob = page
          .locator('[data-testid="job"][data-state="dead"]')
          .filter({ has: page.locator(`a[href="/admin/redemptions/${redemptionId}"]`) });
        await expect(deadJob).toHaveCount(1);
        await expect(deadJob).toContainText(LAST_ERROR);
        const deadCount = Number(
          await page.getByTestId("queue-delivery").locator("td").nth(4).textContent(),
        );
        expect(deadCount).toBeGreaterThanOrEqual(1);
        await shot(page, `jobs-admin-01-dead-${size.name}`);
      });

      await test.step("the redemption's page shows the delivery with its attempts and error", async () => {
        await page
          .getByTestId("troubled-delivery")
          .filter({ hasText: player.email })
          .getByRole("link")
          .click();
        await expect(page).toHaveURL(new RegExp(`/admin/redemptions/${redemptionId}$`));
        const delivery = page.getByRole("region", { name: "Delivery" });
        await expect(delivery.getByTestId("delivery-status")).toHaveText("dead");
        await expect(delivery.getByTestId("delivery-attempts")).toHaveText("13");
        await expect(delivery.getByTestId("delivery-error")).toContainText(LAST_ERROR);
        // The reversal, the other way out of a dead delivery, is on the same page.
        await expect(page.getByRole("form", { name: "Reverse redemption" })).toBeVisible();
        await shot(page, `jobs-admin-02-redemption-dead-${size.name}`);
        await page.goBack();
      });

      await test.step("the admin retries it: pending again, and the worker delivers it", async () => {
        const row = page.getByTestId("troubled-delivery").filter({ hasText: player.email });
        await row.getByRole("button", { name: "Retry delivery" }).click();
        // The page follows deliveries live: the row leaves once the delivery is no longer dead,
        // and the retry's outcome stays above the tables.
        await expect(page.getByTestId("action-notices")).toHaveText(
          "Retried: the delivery is pending again",
        );
        await expect(
          page.getByTestId("troubled-delivery").filter({ hasText: player.email }),
        ).toHaveCount(0);
        await shot(page, `jobs-admin-03-retried-${size.name}`);
        await expect.poll(deliveryStatus).toBe("delivered");
        await page.reload();
        await expect(
          page
            .locator('[data-testid="job"][data-state="dead"]')
            .filter({ has: page.locator(`a[href="/admin/redemptions/${redemptionId}"]`) }),
        ).toHaveCount(0);
      });

      await test.step("the redemption shows it delivered, and the retry in its audit trail", async () => {
        await page.goto(`/admin/redemptions/${redemptionId}`);
        const delivery = page.getByRole("region", { name: "Delivery" });
        await expect(delivery.getByTestId("delivery-status")).toHaveText("delivered");
        await expect(delivery.getByTestId("delivery-reference")).toContainText("ORD-");
        await expect(
          page.locator('[data-testid="audit-row"][data-action="delivery_retry"]'),
        ).toHaveCount(1);
        await shot(page, `jobs-admin-04-redemption-delivered-${size.name}`);
      });
    });
  });
}
