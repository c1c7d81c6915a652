/**
 * Hostile input to every API route, in this process against a real database (see
 * ./api-routes.ts), as an anonymous caller, a player and an admin: malformed JSON, top-level
 * arrays, strings and null, wrong types, missing fields, huge and negative numbers, very long
 * strings, a 1 MB body, awkward unicode (RTL override, emoji, NUL, lone surrogates), SQL and
 * script payloads and prototype-pollution keys, in bodies, query strings and path parameters.
 *
 * No answer may be a 5xx. Input that is invalid as a whole must change nothing: every domain
 * table's rows are digested before and after (the audit trail and rate-limit counters may grow,
 * and a token notes when it was used). Hostile values placed into an otherwise valid body may be
 * accepted (a prize may well be called `<script>…`; React renders it as text), so there only the
 * absence of 5xx is asserted, and that what was stored reads back unchanged. Every answer, error
 * or not, must also be one the OpenAPI document describes (./api-contract.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { responseProblem } from "./api-contract";
import {
  type ApiRoute,
  type Call,
  callRoute,
  createCallers,
  discoverApiRoutes,
  METHODS,
  type Method,
  type Role,
  serveRoutesFrom,
  stateDigest,
} from "./api-routes";
import { createFixtures, type Fixtures, ROUTE_TABLE } from "./authz-matrix.table";
import { connectTestDb } from "./db";

const db = connectTestDb();
let routes: ApiRoute[] = [];
let fx: Fixtures;

const ROLES_TRIED: Role[] = ["anonymous", "player", "admin"];

const LONG = "A".repeat(60_000);
const SQL = "'; drop table users; --";
const SCRIPT = "<script>alert(1)</script>";

/** Values a field should never trip over, valid JSON each. */
const HOSTILE_VALUES: Record<string, unknown> = {
  huge: 1e308,
  "2^63": 2 ** 63,
  "2^31": 2 ** 31,
  negative: -1,
  fraction: 0.5,
  "NaN string": "NaN",
  true: true,
  null: null,
  object: { a: 1 },
  array: [1, "two"],
  empty: "",
  long: LONG,
  rtl: "\u202Egnp.exe",
  emoji: "🎁💥👩‍👩‍👧",
  nul: "a\u0000b",
  "lone surrogate": "\uD800x\uDFFF",
  sql: SQL,
  script: SCRIPT,
};

/** Every field name any route reads, so that each gets each value. */
const FIELDS = [
  "email",
  "password",
  "otp",
  "name",
  "expiresInDays",
  "displayName",
  "region",
  "adult",
  "token",
  "title",
  "prizeId",
  "units",
  "startsAt",
  "endsAt",
  "perPlayerLimit",
  "allocation",
  "eligibility",
  "kind",
  "value",
  "quantity",
  "csv",
  "paused",
  "role",
  "flagged",
  "flaggedReason",
  "suspended",
  "suspendedReason",
  "regions",
  "code",
  "note",
  "address",
  "message",
  "signature",
];

const QUERY_KEYS = [
  "limit",
  "start",
  "end",
  "cursor",
  "after",
  "before",
  "q",
  "role",
  "flagged",
  "suspended",
  "actor",
  "action",
  "outcome",
  "reason",
  "subject",
  "ip",
  "from",
  "to",
  "format",
];

/**
 * Numbers sent as text: hostile to a numeric field, but a fine value for free text (both are
 * valid gift codes, say), so they are tried only in place of fields of valid bodies.
 */
const NUMERIC_STRINGS: Record<string, unknown> = {
  "Infinity string": "Infinity",
  "big number string": "9223372036854775808",
  "hex string": "0x10",
};

type Variant = { name: string; body: BodyInit; contentType?: string };

const JSON_TYPE = "application/json";

function bodyVariants(): Variant[] {
  const raw = (name: string, body: BodyInit, contentType = JSON_TYPE): Variant => ({
    name,
    body,
    contentType,
  });
  const variants: Variant[] = [
    raw("truncated JSON", '{"email":'),
    raw("single quotes", "{'email': 'a'}"),
    raw("trailing garbage", '{"a":1}}'),
    raw("NaN literal", '{"value": NaN, "units": NaN}'),
    raw("1e999 (Infinity)", '{"value": 1e999, "units": 1e999, "quantity": 1e999}'),
    raw(
      "invalid UTF-8",
      new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    ),
    raw("NUL only", "\u0000"),
    raw("array", "[]"),
    raw("array of objects", JSON.stringify([{ email: "a@b.c", password: "x" }])),
    raw("string", JSON.stringify(SCRIPT)),
    raw("null", "null"),
    raw("number", "1e308"),
    raw("boolean", "true"),
    raw("empty object", "{}"),
    raw("1 MB", JSON.stringify({ csv: "x".repeat(1024 * 1024) })),
    raw("JSON sent as text/plain", JSON.stringify({ email: SQL }), "text/plain"),
    raw("form-encoded", `email=${encodeURIComponent(SQL)}`, "application/x-www-form-urlencoded"),
    raw(
      "prototype pollution",
      '{"__proto__": {"role": "admin", "polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
    ),
  ];
  for (const [name, value] of Object.entries(HOSTILE_VALUES)) {
    variants.push(
      raw(`every field ${name}`, JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, value])))),
    );
  }
  return variants;
}

function queryVariants(): string[] {
  const values = [
    "1e308",
    "9223372036854775808",
    "-1",
    "NaN",
    "Infinity",
    "0x10",
    SQL,
    SCRIPT,
    "%00",
    "%ED%A0%80",
    "\u202E",
    "🎁",
    "A".repeat(10_000),
  ];
  const variants = values.map(
    (v) =>
      `?${QUERY_KEYS.map((k) => `${k}=${v.startsWith("%") ? v : encodeURIComponent(v)}`).join("&")}`,
  );
  variants.push(
    "?limit=1&limit=2&limit=x",
    "?__proto__[role]=admin&constructor[prototype][x]=1",
    "?%zz=%zz",
  );
  return variants;
}

const PATH_VALUES = [
  SQL,
  SCRIPT,
  "../../../etc/passwd",
  "00000000-0000-0000-0000-000000000000",
  "1e308",
  "-1",
  "🎁",
  "\u202E",
  "a\u0000b",
  "A".repeat(5_000),
];

type Cell = { key: string; route: ApiRoute; method: Method; role: Role; base: Call };

/** Each route, method and role tried, with the request an allowed caller would make. */
async function cells(): Promise<Cell[]> {
  const out: Cell[] = [];
  for (const route of routes) {
    for (const method of METHODS.filter((m) => route.handlers[m])) {
      const key = `${method} ${route.pattern}`;
      const entry = ROUTE_TABLE[key];
      if (!entry) throw new Error(`${key} is missing from the authorisation table`);
      for (const role of ROLES_TRIED)
        out.push({ key, route, method, role, base: (await entry.call?.(fx, role)) ?? {} });
    }
  }
  return out;
}

/** Whether this caller may use the route, so a request that ignores its body would succeed. */
function allowed(cell: Cell): boolean {
  const status = ROUTE_TABLE[cell.key]?.expect[cell.role] ?? 0;
  return status >= 200 && status < 300;
}

/** Routes that act on the request alone and never read its body. */
const BODY_IGNORED = new Set([
  "POST /api/v1/drops/[dropId]/claims",
  "POST /api/v1/drops/[dropId]/entries",
  "POST /api/v1/drops/[dropId]/queue",
  "POST /api/v1/catalog/[itemId]/redemptions",
  "POST /api/v1/admin/redemptions/[id]/approval",
  "POST /api/v1/admin/jobs/[queue]/[id]/retry",
  "POST /api/v1/admin/jobs/[queue]/[id]/cancel",
  "POST /api/v1/admin/deliveries/[id]/retry",
  "POST /api/v1/admin/webhooks/[id]/secret",
  "POST /api/v1/admin/webhook-deliveries/[id]/replay",
  "DELETE /api/v1/tokens/[id]",
  "DELETE /api/v1/account/wallet",
  "POST /api/v1/wallet/daily-bonus",
  "POST /api/v1/fairness/rotate",
  "POST /api/auth/[...nextauth]",
]);

const token = (fx: Fixtures, role: Role) =>
  role === "anonymous" ? undefined : fx.callers[role as "player"].token;

let calls = 0;

async function send(
  cell: Cell,
  call: Call,
  label: string,
  failures: string[],
): Promise<{ status: number; body: string }> {
  calls++;
  const result = await callRoute(cell.route, cell.method, {
    ...cell.base,
    ...call,
    token: token(fx, cell.role),
  });
  if (result.status >= 500) {
    failures.push(
      `${cell.key} as ${cell.role}, ${label}: ${result.status} ${result.body.slice(0, 300)}`,
    );
  }
  const problem = responseProblem(cell.route.pattern, cell.method, result);
  if (problem) failures.push(`${cell.key} as ${cell.role}, ${label}: ${result.status}: ${problem}`);
  return result;
}

beforeAll(async () => {
  serveRoutesFrom(db);
  routes = await discoverApiRoutes();
  const claims = routes.find((r) => r.pattern === "/api/v1/drops/[dropId]/claims");
  if (!claims) throw new Error("no claims route");
  fx = await createFixtures(db, await createCallers(db), claims);
});

describe("hostile input", () => {
  // Every route times every kind of bad input, one request at a time: minutes on a busy machine.
  it("invalid bodies, queries and path parameters: never a 5xx, nothing changed", async () => {
    const all = await cells();
    const before = await stateDigest(db);
    const failures: string[] = [];
    for (const cell of all) {
      const reachable = !(BODY_IGNORED.has(cell.key) && allowed(cell));
      if (cell.method === "GET") {
        for (const query of queryVariants())
          await send(cell, { query }, `query ${query.slice(0, 60)}`, failures);
      } else if (reachable) {
        for (const v of bodyVariants()) {
          const headers = {
            ...cell.base.headers,
            ...(v.contentType ? { "content-type": v.contentType } : {}),
          };
          await send(cell, { body: v.body, headers }, `body ${v.name}`, failures);
        }
      }
      if (!cell.route.pattern.includes("[") || !reachable) continue;
      for (const value of PATH_VALUES) {
        const params = Object.fromEntries(
          Object.entries(cell.base.params ?? {}).map(([name, v]) => [
            name,
            Array.isArray(v) ? [value] : value,
          ]),
        );
        await send(cell, { params }, `path ${JSON.stringify(value.slice(0, 40))}`, failures);
      }
    }
    expect(failures).toEqual([]);
    // Every route was reached with every kind of input (a guard against a loop that skips).
    expect(calls).toBeGreaterThan(all.length * 10);
    expect(await stateDigest(db)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  }, 300_000);

  it("hostile values inside otherwise valid bodies: never a 5xx", async () => {
    const failures: string[] = [];
    for (const cell of await cells()) {
      if (cell.method === "GET" || typeof cell.base.body !== "string") continue;
      if (!cell.base.headers?.["content-type"]?.includes("json")) continue;
      const valid = JSON.parse(cell.base.body) as Record<string, unknown>;
      for (const field of Object.keys(valid)) {
        for (const [name, value] of Object.entries({ ...HOSTILE_VALUES, ...NUMERIC_STRINGS })) {
          const body = JSON.stringify({ ...valid, [field]: value });
          const result = await send(cell, { body }, `${field}: ${name}`, failures);
          // Text that was taken is answered back exactly as sent: nothing escaped or cut.
          if (result.status < 300 && typeof value === "string" && result.body.startsWith("{")) {
            const stored = (JSON.parse(result.body) as Record<string, unknown>)[field];
            if (stored !== undefined && stored !== value) {
              failures.push(
                `${cell.key}, ${field}: ${name} came back as ${JSON.stringify(stored).slice(0, 80)}`,
              );
            }
          }
        }
        await send(
          cell,
          { body: JSON.stringify({ ...valid, [field]: undefined }) },
          `${field} missing`,
          failures,
        );
      }
      const polluted = `{"__proto__": {"role": "admin"}, ${cell.base.body.slice(1)}`;
      await send(cell, { body: polluted }, "with __proto__", failures);
    }
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });
});
