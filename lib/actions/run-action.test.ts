/**
 * runAction against a real database: the caller is looked up as in production (currentUser()
 * reads the account afresh), only Auth.js's cookie decoding is stood in for by a session naming
 * the account, as test/authz-matrix.actions.test.ts does.
 */
import { eq } from "drizzle-orm";
import { notFound, redirect } from "next/navigation";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { users } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import { OUTCOME_UNKNOWN_MESSAGE } from "@/lib/errors/database-unavailable";
import { type Callers, createCallers, serveRoutesFrom } from "@/test/api-routes";
import { session } from "@/test/auth-stub";
import { connectTestDb } from "@/test/db";
import { runAction, throwIfRefused, UNEXPECTED_ERROR } from "./run-action";

vi.mock("@/auth", () => import("@/test/auth-stub"));
const logged = vi.hoisted(
  () => [] as Array<{ event: string; error: unknown; fields?: Record<string, unknown> }>,
);
vi.mock("@/lib/log", async (original) => ({
  ...(await original<typeof import("@/lib/log")>()),
  logError: (event: string, error: unknown, fields?: Record<string, unknown>) =>
    logged.push({ event, error, fields }),
}));
// The id proxy.ts gave the request: an unexpected failure's log line carries it.
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-request-id": "req-action-1" }),
}));

const db = connectTestDb(4);
let callers: Callers;

beforeAll(async () => {
  serveRoutesFrom(db);
  callers = await createCallers(db);
});

/** Calls as `who` would: the session Auth.js would decode from their cookie, or none. */
async function as(who: keyof Callers | "anonymous") {
  if (who === "anonymous") {
    session.current = null;
    return;
  }
  const account = callers[who];
  const [row] = await db
    .select({ role: users.role, sessionVersion: users.sessionVersion })
    .from(users)
    .where(eq(users.id, account.id));
  session.current = { user: { id: account.id, email: account.email, ...row } };
}

const ran = () => Promise.resolve({ notice: "ran" });

describe("runAction: who may call", () => {
  it("lets anyone call an open action without looking the caller up", async () => {
    await as("player");
    const before = session.lookups;
    const handler = vi.fn(async ({ user }: { user: undefined }) => ({ notice: String(user) }));
    expect(await runAction({ allow: "anyone" }, handler)).toEqual({ notice: "undefined" });
    expect(session.lookups).toBe(before);
  });

  it("refuses an anonymous caller where an account is needed, before reading any input", async () => {
    await as("anonymous");
    const input = vi.fn(async () => ({}));
    const handler = vi.fn(ran);
    const schema = z.object({});
    expect(await runAction({ allow: "signed-in", schema, input }, handler)).toEqual({
      code: "unauthenticated",
      error: "Sign in first",
    });
    expect(input).not.toHaveBeenCalled();
    expect(handler).not.toHaveBeenCalled();
  });

  it("treats a suspended account as signed out, whatever its cookie says", async () => {
    await as("suspended admin");
    const handler = vi.fn(ran);
    expect(await runAction({ allow: ["admin"], refused: "Only admins" }, handler)).toEqual({
      code: "unauthenticated",
      error: "Only admins",
    });
    expect(await runAction({ allow: "signed-in" }, handler)).toMatchObject({
      code: "unauthenticated",
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it("treats a session from before a sign-out everywhere as signed out", async () => {
    await as("other");
    await db.update(users).set({ sessionVersion: 99 }).where(eq(users.id, callers.other.id));
    expect(await runAction({ allow: "signed-in" }, ran)).toMatchObject({ code: "unauthenticated" });
  });

  it("lets any signed-in account call, two-factor or not", async () => {
    await as("admin without 2FA");
    expect(
      await runAction({ allow: "signed-in" }, async ({ user }) => ({ notice: user.id })),
    ).toEqual({ notice: callers["admin without 2FA"].id });
  });

  it("refuses another role, and an admin or auditor without two-factor, with their codes", async () => {
    const refused = {
      unauthenticated: "Sign in as a player to claim",
      forbidden: "Only player accounts can claim",
    };
    await as("admin");
    expect(await runAction({ allow: ["player"], refused }, ran)).toEqual({
      code: "forbidden",
      error: "Only player accounts can claim",
    });
    await as("anonymous");
    expect(await runAction({ allow: ["player"], refused }, ran)).toEqual({
      code: "unauthenticated",
      error: "Sign in as a player to claim",
    });
    await as("admin without 2FA");
    expect(await runAction({ allow: ["admin"], refused: "Only admins can" }, ran)).toEqual({
      code: "two_factor_required",
      error: "Only admins can",
    });
    // Without a message of its own, a refusal says what requireRole says to the API.
    expect(await runAction({ allow: ["admin", "auditor"] }, ran)).toEqual({
      code: "two_factor_required",
      error: "Turn on two-factor authentication at /account/security before using this role",
    });
  });

  it("runs for the roles allowed, with the caller as checked", async () => {
    for (const who of ["admin", "auditor"] as const) {
      await as(who);
      expect(
        await runAction({ allow: ["admin", "auditor"] }, async ({ user }) => ({
          notice: user.role,
        })),
      ).toEqual({ notice: who });
    }
  });
});

describe("runAction: input", () => {
  const schema = z.object({
    name: z.string().trim().min(1, "Give it a name"),
    units: z.coerce.number().int("Units must be a whole number").min(1, "At least one unit"),
    nested: z.object({ rule: z.string().min(2, "Too short") }).optional(),
  });

  it("answers the first message per input, with what was typed", async () => {
    const handler = vi.fn(ran);
    const values = { name: " ", units: "1.5" };
    expect(await runAction({ allow: "anyone", schema, input: values, values }, handler)).toEqual({
      code: "invalid_input",
      fieldErrors: { name: "Give it a name", units: "Units must be a whole number" },
      values,
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it("hands the parsed input to the handler", async () => {
    expect(
      await runAction(
        { allow: "anyone", schema, input: async () => ({ name: " Box ", units: "3" }) },
        async ({ input }) => ({ data: input }),
      ),
    ).toEqual({ data: { name: "Box", units: 3 } });
  });

  it("places an issue by fieldOf, and one of no input atop the form", async () => {
    const state = await runAction(
      {
        allow: "anyone",
        schema,
        input: { name: "x", units: "9", nested: { rule: "a" } },
        fieldOf: ([head, rule]) => (head === "nested" ? String(rule) : undefined),
      },
      ran,
    );
    expect(state).toEqual({ code: "invalid_input", fieldErrors: { rule: "Too short" } });
    const atop = await runAction(
      {
        allow: "anyone",
        schema: schema.refine((v) => v.units < 5, "Too many"),
        input: { name: "x", units: "9" },
      },
      ran,
    );
    expect(atop).toEqual({ code: "invalid_input", error: "Too many" });
  });
});

describe("runAction: what the handler throws", () => {
  const values = { email: "a@example.com" };

  it("says an AppError's message with its code and finer reason", async () => {
    const state = await runAction({ allow: "anyone", values }, async () => {
      throw new AppError("not_eligible", "You are not eligible", { reason: "not_eligible:region" });
    });
    expect(state).toEqual({
      code: "not_eligible",
      reason: "not_eligible:region",
      error: "You are not eligible",
      values,
    });
  });

  it("shows a refusal beside the input it names, or the input errorFields gives its code", async () => {
    const field = await runAction({ allow: "anyone" }, async () => {
      throw new AppError("invalid_input", "Only 3 units are unallocated", { field: "units" });
    });
    expect(field).toEqual({
      code: "invalid_input",
      fieldErrors: { units: "Only 3 units are unallocated" },
    });
    const taken = await runAction(
      { allow: "anyone", values, errorFields: { email_taken: "email" } },
      async () => {
        throw new AppError("email_taken", "An account with this email already exists");
      },
    );
    expect(taken).toEqual({
      code: "email_taken",
      fieldErrors: { email: "An account with this email already exists" },
      values,
    });
  });

  it("turns a ZodError from the domain into field errors", async () => {
    const state = await runAction({ allow: "anyone", values }, async () => {
      z.object({ email: z.email("Enter an email address") }).parse({ email: "nope" });
      return {};
    });
    expect(state).toEqual({
      code: "invalid_input",
      fieldErrors: { email: "Enter an email address" },
      values,
    });
  });

  it("answers anything else with a generic message and logs the details", async () => {
    logged.length = 0;
    const failure = new Error('duplicate key value violates unique constraint "users_email_key"');
    const state = await runAction({ allow: "anyone", values }, async () => {
      throw failure;
    });
    expect(state).toEqual({ code: "internal", error: UNEXPECTED_ERROR, values });
    expect(JSON.stringify(state)).not.toContain("constraint");
    expect(logged).toEqual([
      { event: "action_failed", error: failure, fields: { requestId: "req-action-1" } },
    ]);
  });

  it("says a write cut off with the database may have been applied, not to just try again", async () => {
    const lost = Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });
    const state = await runAction({ allow: "anyone", values }, async () => {
      throw new Error("Failed query", { cause: lost });
    });
    expect(state).toEqual({ code: "unavailable", error: OUTCOME_UNKNOWN_MESSAGE, values });
  });

  it("lets Next's redirect() and notFound() through untouched", async () => {
    const redirected = await runAction({ allow: "anyone" }, async () =>
      redirect("/redemptions/1?claimed=1"),
    ).catch((error: { digest?: string }) => error);
    expect((redirected as { digest?: string }).digest).toMatch(
      /^NEXT_REDIRECT;replace;\/redemptions\/1\?claimed=1;/,
    );
    const missing = await runAction({ allow: "anyone" }, async () => notFound()).catch(
      (error: { digest?: string }) => error,
    );
    expect((missing as { digest?: string }).digest).toMatch(/^NEXT_HTTP_ERROR_FALLBACK;404/);
  });

  it("makes a button's refusal or failure seen, unless the button ignores its code", () => {
    expect(() => throwIfRefused({})).not.toThrow();
    expect(() =>
      throwIfRefused({ code: "forbidden", error: "Only admins can retire prizes" }),
    ).toThrow(new AppError("forbidden", "Only admins can retire prizes"));
    expect(() => throwIfRefused({ fieldErrors: { prizeId: "No such prize" } })).toThrow(
      "No such prize",
    );
    expect(() =>
      throwIfRefused({ code: "not_found", error: "No such token" }, "not_found"),
    ).not.toThrow();
  });
});
