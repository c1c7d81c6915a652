/**
 * GET /api/auth/session through Auth.js's real handler, with session cookies sealed as Auth.js
 * seals them: a session that a reset, "sign out everywhere" or a suspension ended must come back
 * as no session at all (and its cookie cleared), not as the account's id, address and role.
 */
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { createAccount } from "@/lib/auth/create-account";
import { serveRoutesFrom } from "./api-routes";
import { connectTestDb } from "./db";

const db = connectTestDb();
// Served over http in the test, so the cookie has no __Secure- prefix; it is also the JWT's salt.
const COOKIE = "authjs.session-token";

let handlers: typeof import("@/auth").handlers;

beforeAll(async () => {
  // Auth.js reads its secret when it is set up: the module is loaded once there is one.
  serveRoutesFrom(db);
  ({ handlers } = await import("@/auth"));
});

async function sessionFor(user: { id: string; email: string }, sessionVersion: number) {
  const sealed = await encode({
    token: { sub: user.id, email: user.email, role: "player", sv: sessionVersion },
    secret: process.env.AUTH_SECRET ?? "",
    salt: COOKIE,
  });
  const request = new NextRequest("http://localhost/api/auth/session", {
    headers: { cookie: `${COOKIE}=${sealed}` },
  });
  const response = await handlers.GET(request);
  const cleared = response.headers
    .getSetCookie()
    .some((cookie) => cookie.startsWith(`${COOKIE}=;`) || /^[^;]*=;.*max-age=0/i.test(cookie));
  return { body: (await response.json()) as { user?: { id?: string } } | null, cleared };
}

describe("GET /api/auth/session", () => {
  it("answers no session for a cookie a reset, sign-out everywhere or suspension ended", async () => {
    const email = `session-${randomBytes(4).toString("hex")}@test.invalid`;
    const user = await createAccount(db, { email, password: "correct horse battery" });
    expect((await sessionFor(user, 0)).body?.user).toMatchObject({ id: user.id });

    await db
      .update(users)
      .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, user.id));
    expect(await sessionFor(user, 0)).toEqual({ body: null, cleared: true });
    expect((await sessionFor(user, 1)).body?.user).toMatchObject({ id: user.id });

    await db.update(users).set({ suspendedAt: sql`now()` }).where(eq(users.id, user.id));
    expect(await sessionFor(user, 1)).toEqual({ body: null, cleared: true });
  });
});
