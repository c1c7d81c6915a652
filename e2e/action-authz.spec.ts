import fs from "node:fs";
import path from "node:path";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { BASE_URL } from "./constants";
import { ADMIN_EMAIL, ALICE_EMAIL, apiToken, createPlayer, signIn } from "./helpers";

/**
 * Server actions reached the way an attacker would reach them: not through the page's form, but
 * by POSTing an action's id (read from the build's server-reference manifest) straight to a page
 * that hosts it, with the session cookie of an account of the wrong role, or none. Next runs the
 * action before it renders (and refuses) the page, so only the action's own check stands between
 * the caller and the change. The full matrix of actions and callers runs in-process
 * (test/authz-matrix.actions.test.ts); this spec shows the same refusals hold through the real
 * server, real session cookies and Next's own action routing, with the admin's call as the
 * positive control that the requests are well-formed.
 */

type Manifest = { node: Record<string, { exportedName?: string; filename?: string }> };

function actionId(filename: string, name: string): string {
  const file = path.join(
    process.env.NEXT_DIST_DIR || ".next-e2e",
    "server",
    "server-reference-manifest.json",
  );
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
  const found = Object.entries(manifest.node).find(
    ([, entry]) => entry.filename === filename && entry.exportedName === name,
  );
  if (!found) throw new Error(`${filename}#${name} is not in the build`);
  return found[0];
}

const headers = (id: string) => ({
  "next-action": id,
  origin: BASE_URL,
  accept: "text/x-component",
});

/** Calls an action taking (previous state, form data), encoded as React encodes a form reply. */
function postFormAction(
  request: APIRequestContext,
  page: string,
  id: string,
  fields: Record<string, string>,
) {
  // React names the fields of the first FormData argument `_1_<field>` and refers to it as $K1;
  // the root ("0") comes last, as React sends it, since Next reads the parts as they stream in.
  const multipart = new FormData();
  for (const [name, value] of Object.entries(fields)) multipart.append(`_1_${name}`, value);
  multipart.append("0", JSON.stringify([{}, "$K1"]));
  return request.post(page, { headers: headers(id), multipart });
}

/** Calls an action taking plain arguments (JSON-encoded). */
function postAction(request: APIRequestContext, page: string, id: string, args: unknown[]) {
  return request.post(page, {
    headers: { ...headers(id), "content-type": "text/plain;charset=UTF-8" },
    data: JSON.stringify(args),
  });
}

test.describe("server actions posted directly", () => {
  test("a player, an admin without two-factor and an anonymous caller cannot create prizes or pause drops; the admin can", async ({
    browser,
    playwright,
  }) => {
    const anonymous = await playwright.request.newContext({ baseURL: BASE_URL });
    const adminApi = { authorization: `Bearer ${await apiToken(anonymous, ADMIN_EMAIL)}` };
    const playerPage = await browser.newPage();
    await signIn(playerPage, ALICE_EMAIL);
    const adminPage = await browser.newPage();
    await signIn(adminPage, ADMIN_EMAIL);
    // An admin who has not turned two-factor on may not act as one, here as on the admin pages.
    const newcomer = await createPlayer(anonymous, "action-admin");
    const promoted = await anonymous.patch(`/api/v1/admin/accounts/${newcomer.id}`, {
      headers: adminApi,
      data: { role: "admin" },
    });
    expect(promoted.status(), await promoted.text()).toBe(200);
    const newcomerPage = await browser.newPage();
    await signIn(newcomerPage, newcomer.email, newcomer.password);
    const callers = {
      anonymous,
      player: playerPage.request,
      "admin without two-factor": newcomerPage.request,
      admin: adminPage.request,
    };

    const prizeNames = async () => {
      const res = await anonymous.get("/api/v1/admin/prizes", { headers: adminApi });
      return ((await res.json()) as { prizes: Array<{ name: string }> }).prizes.map((p) => p.name);
    };
    const createPrize = actionId("app/(admin)/actions.ts", "createPrizeAction");
    const suffix = Date.now().toString(36);
    for (const [role, request] of Object.entries(callers)) {
      const name = `E2E action ${role} ${suffix}`;
      const res = await postFormAction(request, "/admin/prizes", createPrize, {
        name,
        kind: "crypto",
        value: "1",
        quantity: "1",
        tokenAmount: "10",
        tokenSymbol: "PLT",
      });
      const answer = `${role}: ${res.status()} ${(await res.text()).slice(0, 300)}`;
      expect(res.status(), answer).toBeLessThan(500);
      expect((await prizeNames()).includes(name), answer).toBe(role === "admin");
    }

    const prize = await anonymous.post("/api/v1/admin/prizes", {
      headers: adminApi,
      data: { name: `E2E pause target ${suffix}`, kind: "crypto", value: 1, quantity: 1 },
    });
    const drop = await anonymous.post("/api/v1/admin/drops", {
      headers: adminApi,
      data: {
        title: `E2E pause target ${suffix}`,
        prizeId: ((await prize.json()) as { id: string }).id,
        units: 1,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(drop.status(), await drop.text()).toBe(201);
    const dropId = ((await drop.json()) as { id: string }).id;
    const status = async () =>
      (
        (await (
          await anonymous.get(`/api/v1/admin/drops/${dropId}`, { headers: adminApi })
        ).json()) as {
          status: string;
        }
      ).status;
    const pause = actionId("app/(admin)/actions.ts", "setDropPausedAction");
    for (const [role, request] of Object.entries(callers)) {
      const res = await postAction(request, "/admin", pause, [dropId, true]);
      const answer = `${role}: ${res.status()} ${(await res.text()).slice(0, 300)}`;
      expect(await status(), answer).toBe(role === "admin" ? "paused" : "live");
    }
    await anonymous.dispose();
  });
});
