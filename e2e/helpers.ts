import { randomInt, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  type APIRequestContext,
  type APIResponse,
  type BrowserContext,
  expect,
  type Page,
} from "@playwright/test";
import { DEMO_TOTP_SECRET } from "../db/seed";
import { decodeBase32, hotp, TOTP_STEP_SECONDS, TOTP_WINDOW, totpStep } from "../lib/auth/totp";
import { BASE_URL, TOTP_STEPS_FILE } from "./constants";

export const DEMO_PASSWORD = "prizeledger";
export const ADMIN_EMAIL = "admin@prizeledger.test";
export const AUDITOR_EMAIL = "auditor@prizeledger.test";
export const ALICE_EMAIL = "alice@prizeledger.test";
export const LAUNCH_DROP = "Launch Day Gift Card Drop";

export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
export const TX_HASH = /^0x[0-9a-f]{64}$/i;
/**
 * The demo gift-card drop's card comes from the gift-card provider: the claim's own code is a
 * generated redemption code (the card arrives with its delivery).
 */
export const GIFT_CARD_CODE = /^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$/;
/** The demo drop's prize. */
export const LAUNCH_PRIZE = "$25 Amazon.com Gift Card";

/** Saves a full-page screenshot to test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.join("test-results", "screenshots", `${name}.png`),
    fullPage: true,
  });
}

type Violation = { directive: string; blocked: string; page: string };

/**
 * Starts recording CSP violations on the page (through a binding, so that it survives
 * navigations); the returned function asserts there were none so far.
 */
export async function watchCsp(page: Page): Promise<() => void> {
  const violations: Violation[] = [];
  const reports: string[] = [];
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) reports.push(message.text());
  });
  await page.exposeBinding("__cspViolation", (_source, violation: Violation) => {
    violations.push(violation);
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __cspViolation: (v: Violation) => void })
        .__cspViolation;
      report({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        page: document.location.href,
      });
    });
  });
  return () => {
    expect(violations, "CSP violation events").toEqual([]);
    expect(reports, "CSP console reports").toEqual([]);
  };
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}@e2e.prizeledger.test`;
}

/** Two-factor secrets (base32) of accounts that have it on: the demo admin's and auditor's. */
const totpSecrets = new Map<string, string>([
  [ADMIN_EMAIL, DEMO_TOTP_SECRET],
  [AUDITOR_EMAIL, DEMO_TOTP_SECRET],
]);
/**
 * The last code step used per secret, kept in a file: the server accepts each step once, and
 * Playwright starts a fresh worker (forgetting everything in memory) after a failed test.
 */
const lastStepUsed = {
  read(): Record<string, number> {
    try {
      return JSON.parse(fs.readFileSync(TOTP_STEPS_FILE, "utf8")) as Record<string, number>;
    } catch {
      return {};
    }
  },
  get(secret: string): number | undefined {
    return this.read()[secret];
  },
  set(secret: string, step: number): void {
    fs.mkdirSync(path.dirname(TOTP_STEPS_FILE), { recursive: true });
    fs.writeFileSync(TOTP_STEPS_FILE, JSON.stringify({ ...this.read(), [secret]: step }));
  },
};

/** Lets signIn and apiToken answer the code question for an account a spec enrolled. */
export function rememberTotpSecret(email: string, secret: string): void {
  totpSecrets.set(email, secret.replace(/\s/g, ""));
}

/**
 * A code for the account the server has not seen yet: each code is accepted once, so after the
 * codes of the current and next step are spent this waits for the clock to move on.
 */
export async function nextTotpCode(email: string): Promise<string | undefined> {
  const secret = totpSecrets.get(email);
  if (!secret) return undefined;
  const now = totpStep();
  // Not the previous step's code: by the time it arrives the server may have moved on a step.
  const step = Math.max((lastStepUsed.get(secret) ?? -Infinity) + 1, now);
  if (step > now + TOTP_WINDOW) {
    const opensAt = (step - TOTP_WINDOW) * TOTP_STEP_SECONDS * 1000;
    await new Promise((resolve) => setTimeout(resolve, opensAt - Date.now() + 50));
  }
  lastStepUsed.set(secret, step);
  return hotp(decodeBase32(secret), step);
}

const addressedContexts = new WeakSet<BrowserContext>();

/**
 * Signs in through the form. Each browser context is given a client address of its own first:
 * the whole suite signs in from one machine, and the per-address sign-in limit (30 in 5 minutes)
 * is meant for a single client, not for every spec together. Only the app's own requests carry
 * it: the chain node /verify calls would refuse the header in its CORS preflight.
 */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  const context = page.context();
  if (!addressedContexts.has(context)) {
    addressedContexts.add(context);
    const address = otherClientIp();
    const app = new URL(BASE_URL).origin;
    await context.route(
      (url) => url.origin === app,
      (route) =>
        route.continue({
          headers: { ...route.request().headers(), "x-forwarded-for": address },
        }),
    );
  }
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // On a phone the name is in the header's folded menu: there, not visible, but there.
  const signedIn = page.getByTestId("signed-in-as");
  const codeField = page.getByLabel("Authentication code");
  await expect(signedIn.or(codeField)).toBeAttached();
  if ((await signedIn.count()) > 0) return;
  const code = await nextTotpCode(email);
  if (!code) throw new Error(`${email} asks for a two-factor code: rememberTotpSecret() it first`);
  await codeField.fill(code);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(signedIn).toBeAttached();
}

/**
 * Opens the header's "Menu" where the header is folded into it (on a phone), so that its links
 * and buttons can be clicked; on a wider screen they are in the bar already.
 */
export async function openHeaderMenu(page: Page): Promise<void> {
  const menu = page.locator("details.site-menu");
  const summary = menu.locator("> summary");
  if ((await summary.isVisible()) && !(await menu.evaluate((d) => (d as HTMLDetailsElement).open)))
    await summary.click();
}

/** Folds the header's menu again (a phone's open menu lies over the page). */
export async function closeHeaderMenu(page: Page): Promise<void> {
  const menu = page.locator("details.site-menu");
  const summary = menu.locator("> summary");
  if ((await summary.isVisible()) && (await menu.evaluate((d) => (d as HTMLDetailsElement).open)))
    await summary.click();
}

export async function signOut(page: Page): Promise<void> {
  await openHeaderMenu(page);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(
    page.getByRole("banner").getByRole("link", { name: "Sign in", includeHidden: true }),
  ).toBeAttached();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
}

/**
 * A made-up address for the first X-Forwarded-For hop: requests carrying it count as another
 * person's for the per-address limits (10 sign-ups an hour) and for linking accounts by address.
 */
export function otherClientIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/**
 * A fresh player account through the public API (in the US unless told otherwise, `null` for
 * none declared; 18+; named `E2E <prefix>` unless told), as if from a client address of its own;
 * returns its credentials. Its email is confirmed, as claims require, unless `verified: false`.
 */
export async function createPlayer(
  request: APIRequestContext,
  prefix = "player",
  {
    verified = true,
    region = "US",
    displayName = `E2E ${prefix}`,
  }: { verified?: boolean; region?: string | null; displayName?: string } = {},
): Promise<{ id: string; email: string; password: string }> {
  const email = uniqueEmail(prefix);
  const password = "correct horse battery";
  const res = await request.post("/api/v1/accounts", {
    headers: { "x-forwarded-for": otherClientIp() },
    data: {
      email,
      password,
      displayName,
      ...(region ? { region } : {}),
      adult: true,
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { id: string };
  if (verified) await verifyEmailViaApi(request, email);
  return { id: body.id, email, password };
}

/**
 * The newest link to `path` (such as "/verify-email") mailed to `email`, read from the development
 * mailbox; waits for it, since some mail (password reset) is sent just after the answer.
 */
export async function mailedLink(
  request: APIRequestContext,
  email: string,
  path: string,
): Promise<string> {
  const pattern = new RegExp(`href="([^"]*${path}\\?token=[A-Za-z0-9_-]{43})"`);
  let link = "";
  await expect
    .poll(
      async () => {
        const res = await request.get(`/dev/mailbox?to=${encodeURIComponent(email)}`);
        link = pattern.exec(await res.text())?.[1] ?? "";
        return link;
      },
      { message: `a ${path} link mailed to ${email}` },
    )
    .not.toBe("");
  return link;
}

/** Confirms the account's email without a browser: the mailed token, posted to the API. */
export async function verifyEmailViaApi(request: APIRequestContext, email: string): Promise<void> {
  const link = await mailedLink(request, email, "/verify-email");
  const token = new URL(link).searchParams.get("token");
  const res = await request.post("/api/v1/accounts/verify-email", { data: { token } });
  expect(res.status(), await res.text()).toBe(204);
}

/** Confirms the account's email as a player would: mailbox, link, "Confirm my email". */
export async function verifyEmailViaMailbox(page: Page, email: string): Promise<void> {
  await page.goto(`/dev/mailbox?to=${encodeURIComponent(email)}`);
  await page
    .getByTestId("mail-message")
    .filter({ hasText: "Confirm your email address" })
    .first()
    .getByRole("link", { name: /\/verify-email\?token=/ })
    .click();
  await expect(page).toHaveURL(/\/verify-email\?token=/);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByRole("heading", { name: "Email confirmed" })).toBeVisible();
}

export async function apiToken(
  request: APIRequestContext,
  email: string,
  password = DEMO_PASSWORD,
): Promise<string> {
  const otp = await nextTotpCode(email);
  const res = await request.post("/api/v1/tokens", { data: { email, password, otp } });
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

/**
 * Ends a live lottery now through the admin API and waits for the worker to draw it. Specs make
 * their lotteries with a long window and end them once everyone has entered: a window of a few
 * seconds would close early on a slow machine and refuse the spec's own entries.
 */
export async function endLotteryAndAwaitDraw(
  request: APIRequestContext,
  adminHeaders: Record<string, string>,
  dropId: string,
): Promise<void> {
  const ended = await request.patch(`/api/v1/admin/drops/${dropId}`, {
    headers: adminHeaders,
    data: { end: true },
  });
  expect(ended.status(), await ended.text()).toBe(200);
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/drops/${dropId}/lottery`);
        return ((await res.json()) as { drawnAt: string | null }).drawnAt;
      },
      { message: `the draw of lottery ${dropId}`, timeout: 30_000, intervals: [500, 1000] },
    )
    .not.toBeNull();
}

/** The server's clock, in whole seconds as milliseconds, from the Date header of a cheap request. */
export async function serverTime(request: APIRequestContext): Promise<number> {
  const res = await request.get("/api/v1/openapi.json");
  return Date.parse(res.headers().date ?? "");
}

/** A player's claim through the API, from a client address of its own; the answer as it came. */
export async function claimByApi(
  request: APIRequestContext,
  dropId: string,
  player: { email: string; password: string },
): Promise<APIResponse> {
  const token = await apiToken(request, player.email, player.password);
  return request.post(`/api/v1/drops/${dropId}/claims`, {
    headers: { authorization: `Bearer ${token}`, "x-forwarded-for": otherClientIp() },
  });
}

/** Waits until a redemption's receipt says anchored: the worker anchors claims in batches. */
export async function awaitAnchoredReceipt(
  request: APIRequestContext,
  redemptionId: string,
  headers: Record<string, string>,
): Promise<void> {
  await expect
    .poll(
      async () => {
        const receipt = await request.get(`/api/v1/redemptions/${redemptionId}/receipt`, {
          headers,
        });
        return ((await receipt.json()) as { status: string }).status;
      },
      { timeout: 30_000, intervals: [250, 500, 1000] },
    )
    .toBe("anchored");
}
