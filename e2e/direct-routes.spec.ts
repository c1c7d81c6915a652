import { type APIRequestContext, type APIResponse, expect, request, test } from "@playwright/test";
import { BASE_URL } from "./constants";
import { ADMIN_EMAIL, apiToken, createPlayer, UUID } from "./helpers";

/**
 * The web server answers a bearer-token claim by calling the route handler directly, and the
 * same claim with a cookie through Next's router (scripts/web-server.ts). Both must give the same
 * answer: status, headers and body, for every outcome. Next marks its answers with a `Vary` of
 * its router's headers; that, the framing headers and compression are the allowed differences.
 */
const NEXT = { cookie: "e2e=through-next" };
const FRAMING = new Set([
  "date",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "vary",
  "x-request-id",
  "location",
  // Next gzips every answer a client accepts it for, the direct path only those of 1 KiB or
  // more (lib/http/direct-routes.ts): the bodies are compared decoded.
  "content-encoding",
]);

function comparableHeaders(res: APIResponse): Record<string, string> {
  return Object.fromEntries(
    Object.entries(res.headers()).filter(([name]) => !FRAMING.has(name.toLowerCase())),
  );
}

/** The body with ids, codes, times and hashes replaced by their shape. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  }
  return typeof value === "string" || typeof value === "number" ? typeof value : value;
}

/** A refusal body with the redemption it names (`limit_reached`) replaced by its shape. */
function ownRedemption(body: { error?: { redemptionId?: unknown } }): unknown {
  const id = body.error?.redemptionId;
  if (id === undefined) return body;
  expect(id).toMatch(UUID);
  return { ...body, error: { ...body.error, redemptionId: "uuid" } };
}

async function expectSameAnswer(direct: APIResponse, next: APIResponse, status: number) {
  expect(direct.status(), await direct.text()).toBe(status);
  expect(next.status(), await next.text()).toBe(status);
  expect(next.headers().vary ?? "").toContain("rsc");
  expect(direct.headers().vary ?? "").not.toContain("rsc");
  expect(comparableHeaders(direct)).toEqual(comparableHeaders(next));
  const [a, b] = [await direct.json(), await next.json()];
  if (status >= 400) {
    // A refusal is word for word the same, but for the caller's own redemption it may name
    // (each path's player has their own).
    expect(ownRedemption(a)).toEqual(ownRedemption(b));
  } else {
    expect(shape(a)).toEqual(shape(b));
  }
}

test.describe("claims dispatched directly answer as through Next", () => {
  let api: APIRequestContext;
  let dropId = "";
  const tokens: string[] = [];

  test.beforeAll(async () => {
    // Setting up reads the mailbox, a page, which sets the device cookie: the claims go out from
    // a context of their own, which holds no cookie, as an API client's.
    const setup = await request.newContext({ baseURL: BASE_URL });
    api = await request.newContext({ baseURL: BASE_URL });
    const admin = { authorization: `Bearer ${await apiToken(setup, ADMIN_EMAIL)}` };
    const suffix = Date.now().toString(36);
    const prize = await setup.post("/api/v1/admin/prizes", {
      headers: admin,
      data: { name: `E2E direct ${suffix}`, kind: "crypto", value: 1, quantity: 10 },
    });
    expect(prize.status(), await prize.text()).toBe(201);
    const drop = await setup.post("/api/v1/admin/drops", {
      headers: admin,
      data: {
        title: `E2E direct ${suffix}`,
        prizeId: ((await prize.json()) as { id: string }).id,
        units: 10,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(drop.status(), await drop.text()).toBe(201);
    dropId = ((await drop.json()) as { id: string }).id;
    for (const name of ["direct", "next"]) {
      const player = await createPlayer(setup, `direct-${name}`);
      const res = await setup.post("/api/v1/tokens", {
        data: { email: player.email, password: player.password },
      });
      expect(res.status(), await res.text()).toBe(201);
      tokens.push(((await res.json()) as { token: string }).token);
    }
    await setup.dispose();
  });
  test.afterAll(() => api.dispose());

  const claim = (token: string, headers: Record<string, string> = {}, data?: string) =>
    api.post(`/api/v1/drops/${dropId}/claims`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(data === undefined ? {} : { data }),
    });

  test("a claim, its replay and a second claim", async () => {
    const [directToken, nextToken] = tokens as [string, string];
    const key = { "idempotency-key": "e2e-direct-1" };
    await expectSameAnswer(
      await claim(directToken, key),
      await claim(nextToken, { ...key, ...NEXT }),
      201,
    );
    const replays = [await claim(directToken, key), await claim(nextToken, { ...key, ...NEXT })];
    for (const replay of replays) expect(replay.headers()["idempotent-replayed"]).toBe("true");
    await expectSameAnswer(replays[0] as APIResponse, replays[1] as APIResponse, 201);
    await expectSameAnswer(await claim(directToken), await claim(nextToken, NEXT), 409);
    await expectSameAnswer(
      await claim(directToken, { "idempotency-key": "e2e-direct-1" }, "{}"),
      await claim(nextToken, { "idempotency-key": "e2e-direct-1", ...NEXT }, "{}"),
      422,
    );
  });

  test("refusals: bad token, unknown drop, bad key, oversized body", async () => {
    const bad = "plt_not-a-real-token";
    await expectSameAnswer(await claim(bad), await claim(bad, NEXT), 401);
    const [token] = tokens as [string];
    const elsewhere = "00000000-0000-4000-8000-000000000000";
    const other = (headers: Record<string, string>) =>
      api.post(`/api/v1/drops/${elsewhere}/claims`, {
        headers: { authorization: `Bearer ${token}`, ...headers },
      });
    await expectSameAnswer(await other({}), await other(NEXT), 404);
    const longKey = { "idempotency-key": "k".repeat(300) };
    await expectSameAnswer(
      await claim(token, longKey),
      await claim(token, { ...longKey, ...NEXT }),
      400,
    );
    const big = "x".repeat(5000);
    await expectSameAnswer(await claim(token, {}, big), await claim(token, NEXT, big), 413);
  });
});
