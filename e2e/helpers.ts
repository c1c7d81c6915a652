import { randomUUID } from "node:crypto";
import path from "node:path";
import { type APIRequestContext, expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "prizeledger";
export const ADMIN_EMAIL = "admin@prizeledger.test";
export const ALICE_EMAIL = "alice@prizeledger.test";
export const LAUNCH_DROP = "Launch Day Gift Card Drop";
export const FLASH_DROP = "Token Flash Drop";

export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
export const TX_HASH = /^0x[0-9a-f]{64}$/i;
/** The demo gift-card drop hands out codes from its imported pool (seeded as DEMO-…). */
export const GIFT_CARD_CODE = /^DEMO-[0-9A-F]{12}$/;

/** Saves a full-page screenshot to test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.join("test-results", "screenshots", `${name}.png`),
    fullPage: true,
  });
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}@e2e.prizeledger.test`;
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
}

/** A fresh player account through the public API; returns its credentials. */
export async function createPlayer(
  request: APIRequestContext,
  prefix = "player",
): Promise<{ id: string; email: string; password: string }> {
  const email = uniqueEmail(prefix);
  const password = "correct horse battery";
  const res = await request.post("/api/v1/accounts", {
    data: { email, password, displayName: `E2E ${prefix}` },
  });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { id: string };
  return { id: body.id, email, password };
}

export async function apiToken(
  request: APIRequestContext,
  email: string,
  password = DEMO_PASSWORD,
): Promise<string> {
  const res = await request.post("/api/v1/tokens", { data: { email, password } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

export type DropSummary = { id: string; title: string; status: string; remaining: number };

/** An open (live or upcoming) drop by title, from the public API. */
export async function findOpenDrop(
  request: APIRequestContext,
  title: string,
): Promise<DropSummary | undefined> {
  const res = await request.get("/api/v1/drops");
  expect(res.ok()).toBe(true);
  const body = (await res.json()) as { drops: DropSummary[] };
  return body.drops.find((d) => d.title === title);
}

/** `datetime-local` value for a moment, in the browser's own time zone (what the admin sees). */
export async function browserLocalInput(page: Page, epochMs: number): Promise<string> {
  return page.evaluate((ms) => {
    const d = new Date(ms);
    const shifted = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
    return shifted.toISOString().slice(0, 16);
  }, epochMs);
}
