/**
 * TRUSTED_PROXY_HOPS=0: an instance clients reach with no proxy in front takes each client's
 * address from the connection, whatever X-Forwarded-For says, and whatever the header the web
 * server passes the peer in says when a client sends it too. The instance runs beside the e2e
 * stack on its database; the audit trail (read by the admin, through the stack) shows the address
 * each sign-up was counted under, for the per-address limits as for the record.
 */
import { type APIRequestContext, expect, test } from "@playwright/test";
import { E2E_NO_PROXY_PORT } from "./constants";
import { ADMIN_EMAIL, apiToken, shot, uniqueEmail } from "./helpers";
import { runningWeb } from "./web-instance";

const NO_PROXY_URL = `http://127.0.0.1:${E2E_NO_PROXY_PORT}`;
/** What a client would write to pass as another address (documentation ranges, RFC 5737). */
const SPOOFED = {
  "x-forwarded-for": "198.51.100.66",
  "x-prizeledger-peer-address": "198.51.100.67",
};
const PASSWORD = "correct horse battery";

/** The addresses the stack's audit trail gives the sign-ups of `email`. */
async function signUpAddresses(request: APIRequestContext, email: string): Promise<string[]> {
  const token = await apiToken(request, ADMIN_EMAIL);
  const query = new URLSearchParams({ action: "sign_up", actor: email });
  const res = await request.get(`/api/v1/admin/audit-events?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status(), await res.text()).toBe(200);
  const { events } = (await res.json()) as { events: Array<{ ip: string | null }> };
  return events.map((event) => event.ip ?? "none");
}

test.describe("an instance with no proxy in front (TRUSTED_PROXY_HOPS=0)", () => {
  let web: { stop: () => Promise<void> } | undefined;

  test.beforeAll(async () => {
    web = await runningWeb(
      { PORT: String(E2E_NO_PROXY_PORT), TRUSTED_PROXY_HOPS: "0", MAIL_CAPTURE: "admins" },
      NO_PROXY_URL,
    );
  });

  test.afterAll(async () => {
    await web?.stop();
  });

  test("counts an API call under the connection's address", async ({ request }) => {
    const email = uniqueEmail("no-proxy-api");
    const res = await request.post(`${NO_PROXY_URL}/api/v1/accounts`, {
      headers: SPOOFED,
      data: { email, password: PASSWORD, region: "US", adult: true },
    });
    expect(res.status(), await res.text()).toBe(201);
    expect(await signUpAddresses(request, email)).toEqual(["127.0.0.1"]);
  });

  for (const size of [
    { name: "desktop", viewport: { width: 1280, height: 800 } },
    { name: "phone", viewport: { width: 390, height: 844 } },
  ]) {
    test.describe(size.name, () => {
      test.use({ viewport: size.viewport });

      test("counts a form's sign-up under the connection's address", async ({ page, request }) => {
        const email = uniqueEmail(`no-proxy-${size.name}`);
        // Sent with every request of the page, the server action's post included.
        await page.context().setExtraHTTPHeaders(SPOOFED);
        await page.goto(`${NO_PROXY_URL}/signup`);
        await page.getByLabel("Email").fill(email);
        await page.getByLabel("Password").fill(PASSWORD);
        await page.getByLabel("Country of residence").selectOption("US");
        await page.getByLabel("I am 18 or older").check();
        await page.getByRole("button", { name: "Create account" }).click();
        await expect(page.getByTestId("signed-in-as")).toBeAttached();
        await shot(page, `client-address-${size.name}-signed-up`);
        expect(await signUpAddresses(request, email)).toEqual(["127.0.0.1"]);
      });
    });
  }
});
