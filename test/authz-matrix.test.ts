/**
 * The authorisation matrix: every API route handler (found by globbing app/api/**\/route.ts, so a
 * new route without an entry in ./authz-matrix.table.ts fails here) is called in this process
 * with a real Request, against a real database, as an anonymous caller, a player, another player,
 * an admin and an auditor (both with two-factor on), an admin without it and a suspended admin
 * (whose token was never revoked: the suspension alone must shut every door). Callers authenticate
 * with real API tokens, exactly as API clients do; browser sessions reach the same `apiCaller`,
 * which turns a session into the same account before the same role checks. Each answer must be
 * the table's: 401 without sign-in (or suspended), 403 for a wrong role (or a role without two-factor), 404
 * (never 200) for another player's redemption, receipt or token, and the success status for
 * those allowed.
 *
 * Every answer is also checked against the OpenAPI document (./api-contract.ts).
 *
 * Server actions have their own matrix in ./authz-matrix.actions.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { documentCoverage, documentedOperation, responseProblem } from "./api-contract";
import {
  type ApiRoute,
  callRoute,
  createCallers,
  discoverApiRoutes,
  METHODS,
  type Method,
  ROLES,
  type Role,
  serveRoutesFrom,
} from "./api-routes";
import { createFixtures, type Fixtures, ROUTE_TABLE } from "./authz-matrix.table";
import { connectTestDb } from "./db";

const db = connectTestDb();
let routes: ApiRoute[] = [];
let fx: Fixtures;

beforeAll(async () => {
  serveRoutesFrom(db);
  routes = await discoverApiRoutes();
  const claims = routes.find((r) => r.pattern === "/api/v1/drops/[dropId]/claims");
  if (!claims) throw new Error("no claims route");
  fx = await createFixtures(db, await createCallers(db), claims);
});

const cells = () =>
  routes.flatMap((route) =>
    METHODS.filter((m) => route.handlers[m]).map((method) => ({
      route,
      method,
      key: `${method} ${route.pattern}`,
    })),
  );

describe("authorisation matrix", () => {
  it("has an entry for every route handler, and none for a route that is gone", () => {
    const keys = cells().map((c) => c.key);
    expect(
      keys.filter((k) => !ROUTE_TABLE[k]),
      "routes missing from the table",
    ).toEqual([]);
    expect(
      Object.keys(ROUTE_TABLE).filter((k) => !keys.includes(k)),
      "table entries without a route",
    ).toEqual([]);
  });

  it("documents every route handler, and no route that is gone", () => {
    expect(documentCoverage(routes)).toEqual({ undocumented: [], stale: [] });
  });

  it("documents for each route the roles the table lets in", () => {
    // The matrix's callers by the role each account has; the others are no role of their own.
    const roleOf = { player: "player", other: "player", admin: "admin", auditor: "auditor" };
    const wrong: string[] = [];
    for (const [key, entry] of Object.entries(ROUTE_TABLE)) {
      const [method, pattern] = key.split(" ") as [Method, string];
      const operation = documentedOperation(pattern, method);
      if (!operation) continue;
      const letIn = (role: Role) => ![401, 403].includes(entry.expect[role]);
      const observed = letIn("anonymous")
        ? []
        : Object.entries(roleOf).flatMap(([caller, role]) => (letIn(caller as Role) ? [role] : []));
      const documented = operation.security.flatMap((s) => Object.values(s).flat());
      if ([...new Set(observed)].sort().join() !== [...new Set(documented)].sort().join()) {
        wrong.push(`${key}: lets in ${observed} but documents ${documented}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers every caller as the table says and as the API document describes", async () => {
    const wrong: string[] = [];
    const offDocument: string[] = [];
    for (const { route, method, key } of cells()) {
      const entry = ROUTE_TABLE[key];
      if (!entry) continue;
      for (const role of ROLES) {
        const call = (await entry.call?.(fx, role)) ?? {};
        const token = role === "anonymous" ? undefined : fx.callers[role].token;
        const result = await callRoute(route, method, { ...call, token });
        if (result.status !== entry.expect[role]) {
          wrong.push(
            `${key} as ${role}: ${result.status} (expected ${entry.expect[role]}) ${result.body.slice(0, 200)}`,
          );
        }
        const problem = responseProblem(route.pattern, method, result);
        if (problem) offDocument.push(`${key} as ${role}, ${result.status}: ${problem}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(offDocument, "answers the OpenAPI document does not describe").toEqual([]);
  });
});
