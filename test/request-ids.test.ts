/**
 * A request's id, end to end in this process: the API's entry point gives it, the response
 * returns it, and the audit rows the request writes (inside the claim batcher too) carry it.
 */
import { desc, eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as signUp } from "@/app/api/v1/accounts/route";
import { POST as claim } from "@/app/api/v1/drops/[dropId]/claims/route";
import { auditEvents } from "@/db/schema";
import { searchAuditEvents } from "@/lib/audit/search-events";
import { type Callers, createCallers, serveRoutesFrom } from "./api-routes";
import { connectTestDb, createTestDrop } from "./db";

const db = connectTestDb();
let callers: Callers;

beforeAll(async () => {
  serveRoutesFrom(db);
  callers = await createCallers(db);
});

const UUID = /^[0-9a-f-]{36}$/;

function post(path: string, body: unknown, headers: Record<string, string> = {}): NextRequest {
  return new NextRequest(new URL(path, "http://localhost"), {
    method: "POST",
    body: JSON.stringify(body),
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": "198.51.100.77",
      // A client's own id is never taken (no trusted proxy is configured in tests).
      "x-request-id": "chosen-by-the-client",
      ...headers,
    },
  });
}

async function lastEvent(subject: string) {
  const [event] = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.subject, subject))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  return event;
}

describe("request ids", () => {
  it("land in the audit row of an API sign-up, as the response's X-Request-Id", async () => {
    const email = `request-id-${Date.now()}@test.invalid`;
    const response = await signUp(
      post("/api/v1/accounts", { email, password: "a long enough password", displayName: "Rid" }),
      {},
    );
    expect(response.status).toBe(201);
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(UUID);
    const user = (await response.json()) as { id: string };
    const event = await lastEvent(`user:${user.id}`);
    expect(event).toMatchObject({ action: "sign_up", requestId: id });
    // The id a caller quotes finds the event in the audit trail, and only that request's.
    const found = await searchAuditEvents(db, { requestId: id ?? "" });
    expect(found.events.map((e) => [e.action, e.subject, e.requestId])).toEqual([
      ["sign_up", `user:${user.id}`, id],
    ]);
  });

  it("land in the audit row of a claim, which the batcher writes for many requests at once", async () => {
    const { dropId } = await createTestDrop(db, { units: 5 });
    const response = await claim(
      post(
        `/api/v1/drops/${dropId}/claims`,
        {},
        { authorization: `Bearer ${callers.player.token}` },
      ),
      { params: Promise.resolve({ dropId }) },
    );
    expect(response.status).toBe(201);
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(UUID);
    const event = await lastEvent(`drop:${dropId}`);
    expect(event).toMatchObject({
      action: "claim",
      actorId: callers.player.id,
      outcome: "ok",
      requestId: id,
    });
  });

  it("are returned on refusals too", async () => {
    const response = await claim(
      post("/api/v1/drops/not-a-uuid/claims", {}, { authorization: "Bearer nonsense" }),
      { params: Promise.resolve({ dropId: "not-a-uuid" }) },
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("x-request-id")).toMatch(UUID);
  });
});
