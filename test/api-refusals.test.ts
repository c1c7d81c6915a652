/**
 * Refusals the authorisation matrix and the hostile-input test never provoke (conflicts, a
 * mismatched idempotency key, wrong credentials), each sent for real to its route handler and
 * its answer checked against the OpenAPI document as theirs are (./api-contract.ts): the status
 * and code must be ones the document lists for the operation, the body the error schema.
 */
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { dropQueues, drops } from "@/db/schema";
import { admitWaitingRooms } from "@/lib/queue/admit";
import { responseProblem } from "./api-contract";
import {
  type ApiRoute,
  type Call,
  type Callers,
  callRoute,
  createCallers,
  discoverApiRoutes,
  type Method,
  serveRoutesFrom,
} from "./api-routes";
import { connectTestDb, createTestDrop } from "./db";
import { grantTestCoins } from "./wallet";

const db = connectTestDb();
let routes: ApiRoute[] = [];
let callers: Callers;

beforeAll(async () => {
  serveRoutesFrom(db);
  routes = await discoverApiRoutes();
  callers = await createCallers(db);
});

const json = (value: unknown): Pick<Call, "body" | "headers"> => ({
  body: JSON.stringify(value),
  headers: { "content-type": "application/json" },
});

/**
 * Calls a route, checks its answer against the document and returns its status with its error
 * code (if any) and its body.
 */
async function send(
  method: Method,
  pattern: string,
  call: Call,
): Promise<{ answer: string; body: Record<string, unknown> }> {
  const route = routes.find((r) => r.pattern === pattern);
  if (!route) throw new Error(`no route ${pattern}`);
  const result = await callRoute(route, method, call);
  expect(responseProblem(pattern, method, result), `${method} ${pattern}`).toBeUndefined();
  const body = JSON.parse(result.body) as { error?: { code?: string } };
  return { answer: `${result.status} ${body.error?.code ?? ""}`.trim(), body };
}

const claims = "/api/v1/drops/[dropId]/claims";

describe("refusals, as the API document describes them", () => {
  it("a taken email, wrong credentials", async () => {
    const taken = { email: callers.player.email, password: "a long enough password" };
    expect((await send("POST", "/api/v1/accounts", json(taken))).answer).toBe("409 email_taken");
    expect((await send("POST", "/api/v1/tokens", json(taken))).answer).toBe(
      "401 invalid_credentials",
    );
  });

  it("a sold-out drop, and an idempotency key used for another request", async () => {
    const first = await createTestDrop(db, { units: 1 });
    const second = await createTestDrop(db, { units: 1 });
    const player = { token: callers.player.token, headers: { "idempotency-key": first.dropId } };
    const claim = (dropId: string, as: Call) => send("POST", claims, { ...as, params: { dropId } });
    expect((await claim(first.dropId, player)).answer).toBe("201");
    expect((await claim(first.dropId, { token: callers.other.token })).answer).toBe("409 sold_out");
    expect((await claim(second.dropId, player)).answer).toBe("422 idempotency_mismatch");
  });

  it("a round: replayed, refused for funds, then its key replays the refusal", async () => {
    const play = (key: string, stake: string) =>
      send("POST", "/api/v1/rounds", {
        token: callers.other.token,
        ...json({ game: "dice", currency: "GC", stake, params: { target: 50 } }),
        headers: { "content-type": "application/json", "idempotency-key": key },
      });
    await grantTestCoins(db, callers.other.id, "GC", 100);
    const first = await play("round-1", "1.00");
    expect(first.answer).toBe("201");
    expect((await play("round-1", "1.00")).body).toEqual(first.body);
    expect((await play("round-1", "2.00")).answer).toBe("422 idempotency_mismatch");
    expect((await play("round-2", "500.00")).answer).toBe("409 insufficient_funds");
    await grantTestCoins(db, callers.other.id, "GC", 100_000);
    expect((await play("round-2", "500.00")).answer).toBe("409 insufficient_funds");
    expect((await play("round-3", "1.00")).answer).toBe("201");
  });

  it("a waiting room: not open yet, then a claim without, with another's, with its own admission", async () => {
    const room = { enabled: true, admissionRatePerMinute: 60 };
    const soon = await createTestDrop(db, {
      units: 1,
      startOffsetMs: 600_000,
      endOffsetMs: 4_200_000,
      waitingRoom: room,
    });
    const later = await createTestDrop(db, {
      units: 1,
      startOffsetMs: 3_600_000,
      endOffsetMs: 7_200_000,
      waitingRoom: room,
    });
    const queue = "/api/v1/drops/[dropId]/queue";
    const as = (caller: "player" | "other", dropId: string) => ({
      token: callers[caller].token,
      params: { dropId },
    });
    expect((await send("POST", queue, as("player", later.dropId))).answer).toBe(
      "409 queue_not_open",
    );
    for (const caller of ["player", "other"] as const) {
      expect((await send("POST", queue, as(caller, soon.dropId))).body).toMatchObject({
        state: "pre_queue",
      });
    }
    // The drop starts, the worker shuffles, and one pass owes both an admission.
    await db.update(drops).set({ startsAt: sql`now()` }).where(eq(drops.id, soon.dropId));
    await admitWaitingRooms(db, { settleSeconds: 0 });
    await db
      .update(dropQueues)
      .set({ admittedUntil: new Date("2000-01-01T00:00:00Z") })
      .where(eq(dropQueues.dropId, soon.dropId));
    await admitWaitingRooms(db, { settleSeconds: 0 });
    const admissionOf = async (caller: "player" | "other") => {
      const { body } = await send("GET", queue, as(caller, soon.dropId));
      expect(body.state).toBe("admitted");
      return (body.admission as { token: string }).token;
    };
    const mine = await admissionOf("player");
    const theirs = await admissionOf("other");
    const claim = (token?: string) =>
      send("POST", claims, {
        ...as("player", soon.dropId),
        headers: token ? { "admission-token": token } : {},
      });
    expect((await claim()).answer).toBe("403 admission_required");
    expect((await claim(theirs)).answer).toBe("403 admission_required");
    expect((await claim(mine)).answer).toBe("201");
    const rate = "/api/v1/admin/drops/[id]/queue";
    const patch = (value: unknown) =>
      send("PATCH", rate, {
        token: callers.admin.token,
        params: { id: soon.dropId },
        ...json({ admissionRatePerMinute: value }),
      });
    expect((await patch("0x10")).answer).toBe("400 invalid_input");
    expect((await patch(0)).answer).toBe("400 invalid_input");
    expect((await patch(120)).body).toMatchObject({ admissionRatePerMinute: 120 });
  });

  it("report days JavaScript takes but PostgreSQL does not: a clear 400, never a 500", async () => {
    const report = (query: string) =>
      send("GET", "/api/v1/admin/reports/regulator", { token: callers.auditor.token, query });
    // PostgreSQL has no year 0; the day after 9999-12-31 is written +010000 in JavaScript.
    expect((await report("?from=0000-01-01&to=0000-01-02")).answer).toBe("400 invalid_input");
    expect((await report("?from=9999-12-31&to=9999-12-31")).answer).toBe("200");
  });

  it("a drop that has started, a reversal made twice, an admin changing their own role", async () => {
    const admin = { token: callers.admin.token };
    const { dropId } = await createTestDrop(db, { units: 1 });
    const edit = { ...admin, params: { id: dropId }, ...json({ title: "Too late" }) };
    expect((await send("PATCH", "/api/v1/admin/drops/[id]", edit)).answer).toBe("409 drop_started");

    const claimed = await send("POST", claims, { token: callers.player.token, params: { dropId } });
    const { id } = claimed.body.redemption as { id: string };
    const reversal = "/api/v1/admin/redemptions/[id]/reversal";
    const reverse = { ...admin, params: { id }, ...json({ reason: "twice" }) };
    expect((await send("POST", reversal, reverse)).answer).toBe("201");
    expect((await send("POST", reversal, reverse)).answer).toBe("409 already_reversed");

    const demote = { ...admin, params: { id: callers.admin.id }, ...json({ role: "player" }) };
    expect((await send("PATCH", "/api/v1/admin/accounts/[id]", demote)).answer).toBe(
      "409 own_account",
    );
  });
});
