import path from "node:path";
import { expect, test } from "@playwright/test";
import { BASE_URL } from "./constants";
import { watchCsp } from "./helpers";

/**
 * The API reference at /api/docs: rendered from the generated OpenAPI document, readable at
 * desktop and phone sizes, navigable by its table of contents, under the pages' nonce policy
 * with no violation, and complete with every request to another origin refused (it must work
 * offline). The API's own answers keep their policy that allows nothing.
 */

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

test("the API's answers keep the policy that allows nothing; the reference gets the pages'", async ({
  request,
}) => {
  const api = await request.get("/api/v1/openapi.json");
  expect(api.headers()["content-security-policy"]).toBe(
    "default-src 'none'; frame-ancestors 'none'",
  );
  const docs = await request.get("/api/docs");
  expect(docs.status()).toBe(200);
  const policy = docs.headers()["content-security-policy"] ?? "";
  expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(policy).toMatch(/style-src 'self' 'nonce-/);
  expect(policy).not.toContain("default-src 'none'");
  // Spelled another way, the path is sent to /api/docs or still gets a policy, never none.
  // Letter case too: next.config.js's header rules ignore it, the proxy's matcher does not.
  for (const other of ["/api/doc%73", "/api/docs/", "/api//docs", "/api/DOCS", "/api/Docs"]) {
    const answer = await request.get(other, { maxRedirects: 0 });
    if (answer.status() >= 300 && answer.status() < 400) {
      expect(answer.headers().location, other).toMatch(/^(http:\/\/[^/]+)?\/api\/docs$/);
    } else {
      expect(answer.headers()["content-security-policy"], other).toBeTruthy();
    }
  }
  // A prefetch of the page still gets a policy and an id of the server's own.
  const prefetch = await request.get("/api/docs", {
    headers: { "next-router-prefetch": "1", "x-request-id": "chosen-by-the-client" },
  });
  expect(prefetch.headers()["content-security-policy"]).toBeTruthy();
  expect(prefetch.headers()["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
});

for (const { name, viewport } of SIZES) {
  test(`the API reference reads and navigates offline (${name})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const noViolations = await watchCsp(page);
    const elsewhere: string[] = [];
    await page.route("**/*", (route) => {
      if (route.request().url().startsWith(BASE_URL)) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort("internetdisconnected");
    });

    await page.goto("/api/docs");
    await expect(page.getByRole("heading", { level: 1, name: "Prizeledger API" })).toBeVisible();
    // The stylesheet applied: the table of contents is laid out as a panel.
    const toc = page.getByRole("navigation", { name: "API reference" });
    await expect(toc).toHaveCSS("border-top-style", "solid");
    await page.screenshot({
      path: path.join("test-results", "screenshots", `api-docs-${name}.png`),
    });

    // Every resource has its section, and the contents link to each operation.
    for (const section of ["Drops", "Claims", "Admin: drops", "Error codes", "Schemas"]) {
      await expect(
        page.getByRole("heading", { level: 2, name: section, exact: true }),
      ).toBeVisible();
    }
    await toc.getByRole("link", { name: "POST /api/v1/drops/{dropId}/claims" }).click();
    await expect(page).toHaveURL(/#post-api-v1-drops-dropId-claims$/);
    const claim = page.locator("#post-api-v1-drops-dropId-claims");
    await expect(claim).toBeInViewport();
    await expect(claim).toContainText("Roles: player");
    await expect(claim).toContainText("Idempotency-Key");
    await expect(
      claim.getByText("sold_out: every unit is claimed", { exact: false }),
    ).toBeVisible();
    await page.screenshot({
      path: path.join("test-results", "screenshots", `api-docs-claim-${name}.png`),
    });

    // A schema link leads to the shared schema, with its fields and bounds.
    await page.goto("/api/docs#post-api-v1-admin-drops");
    const create = page.locator("#post-api-v1-admin-drops");
    await expect(create).toContainText("Roles: admin");
    await expect(create).toContainText("1–120 characters");
    await expect(create).toContainText("1–1000000");
    await page
      .locator("#get-api-v1-drops")
      .getByRole("link", { name: "Drop", exact: true })
      .click();
    await expect(page.locator("#schema-Drop")).toBeInViewport();

    const codes = page.locator("#error-codes");
    await expect(codes.getByRole("row", { name: "sold_out 409" })).toBeVisible();

    expect(elsewhere, "requests to other origins").toEqual([]);
    noViolations();
  });
}
