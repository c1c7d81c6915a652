import {
  type APIRequestContext,
  type APIResponse,
  expect,
  type Page,
  test,
} from "@playwright/test";
import { BASE_URL, CHAIN_RPC_URL } from "./constants";
import {
  ADMIN_EMAIL,
  apiToken,
  awaitAnchoredReceipt,
  createPlayer,
  endLotteryAndAwaitDraw,
  findOpenDrop,
  LAUNCH_DROP,
  shot,
  signIn,
  watchCsp,
} from "./helpers";

/**
 * Every kind of page works under the Content-Security-Policy: each test records CSP violations
 * (the browser's `securitypolicyviolation` events and its console reports) while it uses the pages
 * the way people do — forms, live counters, the in-browser receipt check against the chain node,
 * the lottery replay, a file upload — and fails if there was any.
 */

const DAY = 24 * 3600;
/** A demo player (verified, adult, in the US) whom no other spec uses: it claims the launch drop. */
const CAROL_EMAIL = "carol@prizeledger.test";

/** The Set-Cookie header of the named cookie (a response may set several). */
function setCookie(response: APIResponse, name: string): string | undefined {
  return response
    .headersArray()
    .find((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith(`${name}=`))?.value;
}

function expectCommonHeaders(response: APIResponse | null): void {
  const headers = response?.headers() ?? {};
  expect(headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["cross-origin-opener-policy"]).toBe("same-origin");
  expect(headers["permissions-policy"]).toContain("camera=()");
}

/** The page's CSP, checked directive by directive; returns its nonce. */
function expectPageCsp(response: APIResponse | null, path: string): string {
  expectCommonHeaders(response);
  const csp = response?.headers()["content-security-policy"] ?? "";
  const directives = new Map(
    csp.split(";").map((d) => {
      const [name = "", ...values] = d.trim().split(/\s+/);
      return [name, values.join(" ")] as const;
    }),
  );
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(directives.get("script-src") ?? "")?.[1] ?? "";
  expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(directives.get("default-src")).toBe("'self'");
  expect(directives.get("script-src")).toBe(`'self' 'nonce-${nonce}' 'strict-dynamic'`);
  expect(directives.get("img-src")).toBe("'self' data: blob:");
  // Only /verify may reach another chain node: the one an auditor names (https, or their own).
  expect(directives.get("connect-src")).toBe(
    new URL(path, BASE_URL).pathname === "/verify"
      ? `'self' ${CHAIN_RPC_URL} https: http://localhost:* http://127.0.0.1:*`
      : `'self' ${CHAIN_RPC_URL}`,
  );
  expect(directives.get("frame-ancestors")).toBe("'none'");
  expect(directives.get("base-uri")).toBe("'self'");
  expect(directives.get("form-action")).toBe("'self'");
  expect(directives.get("object-src")).toBe("'none'");
  return nonce;
}

async function visit(page: Page, path: string): Promise<string> {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  return expectPageCsp(response as unknown as APIResponse, path);
}

/**
 * A fresh lottery drop made through the admin API, open for an hour, and the admin's headers to
 * end it with.
 */
async function freshLottery(
  request: APIRequestContext,
): Promise<{ dropId: string; admin: Record<string, string> }> {
  const admin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
  const suffix = Date.now().toString(36);
  const prize = await request.post("/api/v1/admin/prizes", {
    headers: admin,
    data: { name: `E2E CSP Token ${suffix}`, kind: "crypto", value: 1, quantity: 1 },
  });
  expect(prize.status(), await prize.text()).toBe(201);
  const created = await request.post("/api/v1/admin/drops", {
    headers: admin,
    data: {
      title: `E2E CSP lottery ${suffix}`,
      prizeId: ((await prize.json()) as { id: string }).id,
      units: 1,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      allocation: "lottery",
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  return { dropId: ((await created.json()) as { id: string }).id, admin };
}

test.describe("security headers and CSP", () => {
  test("public pages: headers, a fresh nonce per response, the device cookie, no CSP violation", async ({
    page,
    request,
  }) => {
    const noViolations = await watchCsp(page);
    const drop = await findOpenDrop(request, LAUNCH_DROP);
    expect(drop).toBeDefined();

    const first = await visit(page, "/");
    noViolations();
    const second = await visit(page, "/");
    expect(second).not.toBe(first);
    // Next put the nonce on its own scripts, or nothing would have run (and hydrated) above.
    expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0);

    await test.step("the device cookie: random, HttpOnly, Lax, whole site, 400 days", async () => {
      const cookies = await page.context().cookies();
      const device = cookies.find((c) => c.name === "pl_device");
      expect(device?.value).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(device?.httpOnly).toBe(true);
      expect(device?.sameSite).toBe("Lax");
      expect(device?.path).toBe("/");
      // Plain http here: Secure is set only when the request came over https.
      expect(device?.secure).toBe(false);
      const lifetime = (device?.expires ?? 0) - Date.now() / 1000;
      expect(lifetime).toBeGreaterThan(399 * DAY);
      expect(lifetime).toBeLessThanOrEqual(400 * DAY);
      // It is kept, not replaced, on the next request.
      await page.goto("/ledger");
      const again = (await page.context().cookies()).find((c) => c.name === "pl_device");
      expect(again?.value).toBe(device?.value);
    });

    await test.step("https behind a load balancer makes the device cookie Secure", async () => {
      const res = await request.get("/signin", {
        headers: { "x-forwarded-proto": "https", cookie: "" },
      });
      expect(setCookie(res, "pl_device")).toMatch(
        /^pl_device=[A-Za-z0-9_-]{22}; Path=\/; Expires=[^;]+; Max-Age=34560000; Secure; HttpOnly; SameSite=lax$/i,
      );
    });

    await test.step("Auth.js's cookies: HttpOnly and Lax; Secure and prefixed under https", async () => {
      // trustHost: Auth.js takes the scheme from X-Forwarded-Proto, as set by the load balancer.
      const plain = await request.get("/api/auth/csrf", { headers: { cookie: "" } });
      expect(setCookie(plain, "authjs.csrf-token")).toMatch(
        /^authjs\.csrf-token=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/,
      );
      const https = await request.get("/api/auth/csrf", {
        headers: { cookie: "", "x-forwarded-proto": "https" },
      });
      expect(setCookie(https, "__Host-authjs.csrf-token")).toMatch(
        /^__Host-authjs\.csrf-token=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      );
    });

    await test.step("static assets and the API get the fixed headers but no device cookie", async () => {
      const script = await page
        .locator("script[src^='/_next/static/']")
        .first()
        .getAttribute("src");
      const asset = await request.get(script ?? "", { headers: { cookie: "" } });
      expect(asset.status()).toBe(200);
      expectCommonHeaders(asset);
      expect(asset.headers()["set-cookie"]).toBeUndefined();
      const api = await request.get("/api/v1/drops", { headers: { cookie: "" } });
      expectCommonHeaders(api);
      expect(api.headers()["content-security-policy"]).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(api.headers()["set-cookie"]).toBeUndefined();
    });

    await test.step("every page, API and sign-in answer has an id of its own, not the client's", async () => {
      const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      const spoofed = { cookie: "", "x-request-id": "chosen-by-the-client" };
      const answers = [
        await request.get("/ledger", { headers: spoofed }),
        // A prefetch skips the nonce and the cookie, but not the id.
        await request.get("/ledger", { headers: { ...spoofed, "next-router-prefetch": "1" } }),
        await request.get("/api/v1/drops", { headers: spoofed }),
        await request.get("/api/auth/csrf", { headers: spoofed }),
        await request.get("/api/health", { headers: spoofed }),
        await request.get("/.well-known/prizeledger.json", { headers: spoofed }),
      ];
      const ids = answers.map((answer) => answer.headers()["x-request-id"]);
      for (const id of ids) expect(id).toMatch(UUID);
      expect(new Set(ids).size).toBe(ids.length);
    });

    const pages = ["/ledger", "/verify", "/signin", "/signup", "/forgot-password", "/dev/mailbox"];
    for (const path of [...pages, `/drops/${drop?.id}`]) {
      await visit(page, path);
      noViolations();
    }
    // The live counter polls the API from the browser: wait for one refresh to go through.
    await page.waitForResponse((r) => r.url().includes("/api/v1/drops") && r.ok());
    noViolations();
    await shot(page, "security-01-drop-under-csp");
  });

  test("a player claims, reads the receipt and verifies it against the chain under the CSP", async ({
    page,
    request,
  }) => {
    const noViolations = await watchCsp(page);
    const drop = await findOpenDrop(request, LAUNCH_DROP);
    await signIn(page, CAROL_EMAIL);
    // signIn gives the context a client address header of its own; the browser would send it to
    // the chain node too, and a header CORS does not list makes that fetch preflighted, which
    // the node refuses. The session cookie is all this test needs from here on.
    await page.context().setExtraHTTPHeaders({});
    noViolations();
    const sessionCookie = (await page.context().cookies()).find(
      (c) => c.name === "authjs.session-token",
    );
    expect(sessionCookie?.httpOnly).toBe(true);
    expect(sessionCookie?.sameSite).toBe("Lax");
    expect(sessionCookie?.path).toBe("/");

    await visit(page, `/drops/${drop?.id}`);
    await page.getByRole("button", { name: "Claim one unit" }).click();
    await expect(page.getByTestId("claim-success")).toBeVisible();
    noViolations();

    for (const path of ["/redemptions", "/account", "/account/security", "/account/claims"]) {
      await visit(page, path);
      noViolations();
    }
    const token = await apiToken(request, CAROL_EMAIL);
    const mine = await request.get("/api/v1/redemptions", {
      headers: { authorization: `Bearer ${token}` },
    });
    const redemptionId = ((await mine.json()) as { redemptions: Array<{ id: string }> })
      .redemptions[0]?.id;
    expect(redemptionId).toBeDefined();
    await visit(page, `/redemptions/${redemptionId}`);
    noViolations();

    // The check reads the ledger contract from this browser, over JSON-RPC to the chain node;
    // it asks for the site's witnesses, so it waits until they have cosigned.
    await awaitAnchoredReceipt(request, redemptionId ?? "", {
      authorization: `Bearer ${token}`,
    });
    await visit(page, `/verify?redemption=${redemptionId}`);
    await expect(page.getByTestId("receipt-input")).not.toHaveValue("");
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expect(page.getByTestId("verdict")).toHaveAttribute("data-ok", "true");
    noViolations();
    await shot(page, "security-02-verified-under-csp");
  });

  test("setting up two-factor shows its QR code under the CSP", async ({ page, request }) => {
    const noViolations = await watchCsp(page);
    const player = await createPlayer(request, "csp-2fa");
    await signIn(page, player.email, player.password);
    await visit(page, "/account/security");
    await page.getByRole("button", { name: "Set up two-factor" }).click();
    // The QR code is a data: image, which img-src allows.
    const qr = page.locator("img[src^='data:image/png']");
    await expect(qr).toBeVisible();
    expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    noViolations();
    await shot(page, "security-05-two-factor-qr-under-csp");
  });

  test("the lottery replay runs in the browser under the CSP", async ({ page, request }) => {
    const noViolations = await watchCsp(page);
    const auth = { authorization: `Bearer ${await apiToken(request, CAROL_EMAIL)}` };
    const { dropId, admin } = await freshLottery(request);
    const entry = await request.post(`/api/v1/drops/${dropId}/entries`, { headers: auth });
    expect(entry.status(), await entry.text()).toBe(201);
    await endLotteryAndAwaitDraw(request, admin, dropId);

    await visit(page, `/drops/${dropId}/lottery`);
    await page.getByRole("button", { name: "Replay the draw in your browser" }).click();
    await expect(page.getByTestId("lottery-replay-result")).toHaveAttribute("data-ok", "true");
    noViolations();
    await shot(page, "security-03-lottery-replay-under-csp");
  });

  test("admin pages: live tables, forms and a CSV file upload under the CSP", async ({ page }) => {
    const noViolations = await watchCsp(page);
    await signIn(page, ADMIN_EMAIL);
    const pages = ["/admin", "/admin/drops", "/admin/accounts", "/admin/audit", "/admin/regions"];
    for (const path of [...pages, "/admin/prizes"]) {
      await visit(page, path);
      noViolations();
    }
    const suffix = Date.now().toString(36).toUpperCase();
    await page.getByLabel("Name").fill(`E2E CSP Card ${suffix}`);
    await page.getByLabel("Kind").selectOption("gift_card");
    await page.getByLabel("Value (USD)").fill("5");
    await page.getByLabel("Quantity").fill("2");
    await page.getByRole("button", { name: "Create prize" }).click();
    await expect(page.locator(".alert.success")).toBeVisible();
    noViolations();

    const token = await apiToken(page.request, ADMIN_EMAIL);
    const prizes = await page.request.get("/api/v1/admin/prizes", {
      headers: { authorization: `Bearer ${token}` },
    });
    const prize = (
      (await prizes.json()) as { prizes: Array<{ id: string; name: string }> }
    ).prizes.find((p) => p.name === `E2E CSP Card ${suffix}`);
    await visit(page, `/admin/prizes/${prize?.id}`);
    await page.getByLabel("CSV file").setInputFiles({
      name: "codes.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`code\nCSP-${suffix}-0001\nCSP-${suffix}-0002\n`),
    });
    await page.getByRole("button", { name: "Import codes" }).click();
    await expect(page.getByTestId("accepted-count")).toHaveText("2");
    noViolations();
    await shot(page, "security-04-upload-under-csp");
  });

  test("the live dashboard (an event stream and SVG charts) and a drop report under the CSP", async ({
    page,
  }) => {
    const noViolations = await watchCsp(page);
    await signIn(page, ADMIN_EMAIL);
    await visit(page, "/admin/analytics");
    await expect(page.getByTestId("live-status")).toHaveText("Live");
    noViolations();
    const res = await page.request.get("/api/v1/admin/drops");
    const [drop] = ((await res.json()) as { drops: Array<{ id: string }> }).drops;
    await visit(page, `/admin/drops/${drop?.id}/report`);
    await expect(page.getByTestId("anchored-share")).toBeVisible();
    noViolations();
    await shot(page, "security-05-analytics-under-csp");
  });
});
