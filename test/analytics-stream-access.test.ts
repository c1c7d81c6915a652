/**
 * The admin analytics stream outlives its request: the caller is let in when it opens, and asked
 * about again before every heartbeat. Each case opens the real route as a staff member allowed to
 * watch, sees a heartbeat go out (the re-check said yes), changes the account, and lets the next
 * heartbeat come: the stream must end there instead. Only the heartbeat timer is faked, so the
 * next heartbeat comes when the test says; the database, the route and the feed are real. As in
 * the action matrix, Auth.js's `auth()` stands in for decoding the session cookie.
 */
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/v1/admin/analytics/stream/route";
import { users } from "@/db/schema";
import { HEARTBEAT_MS } from "@/lib/analytics/live";
import { issueApiToken, revokeApiToken } from "@/lib/auth/api-tokens";
import { createAccount } from "@/lib/auth/create-account";
import { enrolWithSecret } from "@/lib/auth/two-factor";
import { session } from "@/test/auth-stub";
import { serveRoutesFrom } from "./api-routes";
import { connectTestDb } from "./db";

vi.mock("@/auth", () => import("@/test/auth-stub"));

const db = connectTestDb();
const context = { ip: "203.0.113.77", userAgent: "vitest" };

beforeAll(() => serveRoutesFrom(db));
afterEach(() => {
  vi.useRealTimers();
  session.current = null;
});

type Staff = Awaited<ReturnType<typeof staff>>;

/** An admin or auditor with two-factor on (as the role requires) and an API token. */
async function staff(role: "admin" | "auditor") {
  const email = `stream-${role}-${randomBytes(4).toString("hex")}@test.invalid`;
  const user = await createAccount(db, { email, password: "correct horse battery" }, role);
  await enrolWithSecret(db, user.id, "JBSWY3DPEHPK3PXP");
  const { token, id: tokenId } = await issueApiToken(db, user.id);
  return { ...user, token, tokenId };
}

async function openStream(headers: Record<string, string>) {
  const request = new NextRequest("http://localhost/api/v1/admin/analytics/stream", { headers });
  const response = await GET(request, { params: Promise.resolve({}) });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  const heartbeats = () => text.split(": heartbeat\n\n").length - 1;
  return {
    heartbeats,
    /** Reads until `done(text)` holds; says whether the stream ended first. */
    async readUntil(done: (text: string) => boolean): Promise<"ended" | "open"> {
      while (!done(text)) {
        const chunk = await reader.read();
        if (chunk.done) return "ended";
        text += decoder.decode(chunk.value, { stream: true });
      }
      return "open";
    },
    cancel: () => reader.cancel(),
  };
}

const cases: Array<{
  name: string;
  role: "admin" | "auditor";
  via: "token" | "session";
  change: (user: Staff) => Promise<unknown>;
}> = [
  {
    name: "an admin suspended, watching with a token",
    role: "admin",
    via: "token",
    change: (user) =>
      db.update(users).set({ suspendedAt: sql`now()` }).where(eq(users.id, user.id)),
  },
  {
    name: "an admin whose token was revoked",
    role: "admin",
    via: "token",
    change: (user) => revokeApiToken(db, user.id, user.tokenId, context),
  },
  {
    name: "an auditor suspended, watching in the browser",
    role: "auditor",
    via: "session",
    change: (user) =>
      db.update(users).set({ suspendedAt: sql`now()` }).where(eq(users.id, user.id)),
  },
  {
    name: "an auditor made a player",
    role: "auditor",
    via: "session",
    change: (user) => db.update(users).set({ role: "player" }).where(eq(users.id, user.id)),
  },
  {
    name: "an admin whose sessions a reset or sign-out everywhere ended",
    role: "admin",
    via: "session",
    change: (user) =>
      db
        .update(users)
        .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(eq(users.id, user.id)),
  },
];

describe("the admin analytics stream", () => {
  for (const { name, role, via, change } of cases) {
    it(`ends at the next heartbeat for ${name}`, async () => {
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
      const user = await staff(role);
      session.current = { user: { id: user.id, email: user.email, role, sessionVersion: 0 } };
      const stream = await openStream(
        via === "token"
          ? { authorization: `Bearer ${user.token}` }
          : { cookie: "authjs.session-token=decoded-by-the-stand-in" },
      );
      try {
        expect(await stream.readUntil((text) => text.includes("event: snapshot"))).toBe("open");
        vi.advanceTimersByTime(HEARTBEAT_MS);
        expect(await stream.readUntil(() => stream.heartbeats() === 1)).toBe("open");
        await change(user);
        vi.advanceTimersByTime(HEARTBEAT_MS);
        // The heartbeat either goes out (the caller still let in) or the stream ends.
        expect(await stream.readUntil(() => stream.heartbeats() === 2)).toBe("ended");
      } finally {
        await stream.cancel();
      }
    });
  }
});
