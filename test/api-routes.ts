import { randomBytes } from "node:crypto";
import { globSync } from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { issueApiToken } from "@/lib/auth/api-tokens";
import { createAccount } from "@/lib/auth/create-account";
import { enrolWithSecret } from "@/lib/auth/two-factor";

/**
 * Calls the app's API route handlers in this process, as Next would: a real Request, the route's
 * params as a promise, against the test file's own database, with callers authenticated by real
 * API tokens. Shared by the authorisation matrix and the hostile-bodies test.
 */

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];
export type Params = Record<string, string | string[]>;
type Handler = (request: NextRequest, context: { params: Promise<Params> }) => Promise<Response>;

export type ApiRoute = {
  /** The URL pattern, e.g. `/api/v1/drops/[dropId]/claims`. */
  pattern: string;
  file: string;
  handlers: Partial<Record<Method, Handler>>;
};

const ROOT = path.resolve(import.meta.dirname, "..");

/** Every app/api/**\/route.ts with the method handlers it exports. */
export async function discoverApiRoutes(): Promise<ApiRoute[]> {
  const files = globSync("app/api/**/route.ts", { cwd: ROOT }).sort();
  return Promise.all(
    files.map(async (file) => {
      const module = (await import(path.join(ROOT, file))) as Record<string, unknown>;
      const segments = path
        .dirname(file)
        .split(path.sep)
        .slice(1)
        .filter((segment) => !/^\(.*\)$/.test(segment));
      const handlers: ApiRoute["handlers"] = {};
      for (const method of METHODS) {
        if (typeof module[method] === "function") handlers[method] = module[method] as Handler;
      }
      return { pattern: `/${segments.join("/")}`, file, handlers };
    }),
  );
}

/** The route handlers read the pool through getDb(): point it at this test file's database. */
export function serveRoutesFrom(db: Db): void {
  (globalThis as unknown as { prizeledgerDb?: { db: Db } }).prizeledgerDb = { db };
  // Auth.js refuses to start without a secret; its own endpoints are in the matrix too.
  process.env.AUTH_SECRET ??= randomBytes(32).toString("hex");
}

export type Call = {
  params?: Params;
  /** Appended to the path as is, e.g. `?limit=5`. */
  query?: string;
  body?: BodyInit;
  headers?: Record<string, string>;
  token?: string;
};

let nextIp = 1;

/** A documentation address (RFC 5737) of its own for every call, so per-IP limits never mix. */
function freshIp(): string {
  const n = nextIp++;
  return `198.51.${(n >> 8) & 255}.${n & 255}`;
}

/** Fills `[id]` and `[...rest]` segments from params. */
export function routePath(pattern: string, params: Params = {}): string {
  return pattern.replace(/\[(?:\.\.\.)?(\w+)\]/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${pattern}: no value for ${name}`);
    return (Array.isArray(value) ? value : [value]).map(encodeURIComponent).join("/");
  });
}

/**
 * One request to one handler. A handler that throws is answered 500, as Next would answer it;
 * the error is kept on the result for the failure message.
 */
export async function callRoute(
  route: ApiRoute,
  method: Method,
  call: Call = {},
): Promise<{ status: number; body: string; contentType?: string; error?: unknown }> {
  const handler = route.handlers[method];
  if (!handler) throw new Error(`${route.pattern} has no ${method}`);
  const url = new URL(
    routePath(route.pattern, call.params) + (call.query ?? ""),
    "http://localhost",
  );
  const headers = new Headers({ "x-forwarded-for": freshIp(), ...call.headers });
  if (call.token) headers.set("authorization", `Bearer ${call.token}`);
  const request = new NextRequest(url, {
    method,
    headers,
    ...(call.body === undefined ? {} : { body: call.body, duplex: "half" }),
  } as ConstructorParameters<typeof NextRequest>[1]);
  try {
    const response = await handler(request, { params: Promise.resolve(call.params ?? {}) });
    const contentType = response.headers.get("content-type") ?? undefined;
    if (contentType?.startsWith("text/event-stream")) {
      return { status: response.status, body: await firstEvent(response), contentType };
    }
    return { status: response.status, body: await response.text(), contentType };
  } catch (error) {
    return { status: 500, body: String(error), error };
  }
}

/**
 * An event stream never ends: it is read up to its first event (a blank line after a data
 * line) and then cancelled, as a browser tab closing would.
 */
async function firstEvent(response: Response): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (!/^data:.*\n\n/m.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

export const ROLES = [
  "anonymous",
  "player",
  "other",
  "admin",
  "auditor",
  "admin without 2FA",
  "suspended admin",
] as const;
export type Role = (typeof ROLES)[number];

export type Account = { id: string; email: string; password: string; token: string };
export type Callers = Record<Exclude<Role, "anonymous">, Account>;

/**
 * Two players (eligible for any drop: verified, 18+, in the US, a month old), an admin and an
 * auditor (both with two-factor on, as their roles require), an admin who has not turned it on
 * and a suspended admin, each with a password and a token. The suspension is written straight to
 * the account, leaving its token unrevoked and its session version as it was, so that the matrix
 * checks that every door refuses a suspended account, not only that suspending revokes.
 */
export async function createCallers(db: Db): Promise<Callers> {
  const tag = randomBytes(4).toString("hex");
  const make = async (
    name: Role,
    role: "player" | "admin" | "auditor",
    twoFactor = role !== "player",
    suspended = false,
  ): Promise<Account> => {
    const email = `${name.replaceAll(" ", "-")}-${tag}@test.invalid`;
    const password = `password-${tag}-${name}`;
    const user = await createAccount(db, { email, password, displayName: name }, role);
    await db
      .update(users)
      .set({
        emailVerifiedAt: sql`now()`,
        adultDeclaredAt: sql`now()`,
        region: "US",
        createdAt: sql`now() - interval '30 days'`,
      })
      .where(eq(users.id, user.id));
    if (twoFactor) await enrolWithSecret(db, user.id, "JBSWY3DPEHPK3PXP");
    const { token } = await issueApiToken(db, user.id);
    if (suspended) {
      await db
        .update(users)
        .set({ suspendedAt: sql`now()`, suspendedReason: "authorisation matrix" })
        .where(eq(users.id, user.id));
    }
    return { id: user.id, email, password, token };
  };
  return {
    player: await make("player", "player"),
    other: await make("other", "player"),
    admin: await make("admin", "admin"),
    auditor: await make("auditor", "auditor"),
    "admin without 2FA": await make("admin without 2FA", "admin", false),
    "suspended admin": await make("suspended admin", "admin", true, true),
  };
}

/** Tables whose rows requests may add without changing what the app holds: the audit trail. */
const LOG_TABLES = new Set(["audit_events", "rate_limits"]);
/** Columns that reading may touch: a token notes when it was last used. */
const TOUCHED_COLUMNS = ["last_used_at"];

/** Row count and a digest of every row of every domain table, to tell whether anything changed. */
export async function stateDigest(db: Db): Promise<Record<string, string>> {
  const tables = (await db.execute(
    sql`select tablename from pg_tables where schemaname = 'public' order by tablename`,
  )) as unknown as Array<{ tablename: string }>;
  const digest: Record<string, string> = {};
  for (const { tablename } of tables) {
    if (LOG_TABLES.has(tablename) || tablename.startsWith("__drizzle")) continue;
    const [row] = (await db.execute(
      sql.raw(
        `select count(*)::text || ':' || coalesce(md5(string_agg(r, ',' order by r)), '') as d
         from (select (to_jsonb(t) - array[${TOUCHED_COLUMNS.map((c) => `'${c}'`).join(",")}])::text as r
               from "${tablename}" t) rows`,
      ),
    )) as unknown as Array<{ d: string }>;
    digest[tablename] = row?.d ?? "";
  }
  return digest;
}
