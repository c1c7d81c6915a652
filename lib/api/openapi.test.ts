import { describe, expect, it } from "vitest";
import { errorStatus } from "@/lib/errors/app-error";
import { openApiDocument } from "./openapi";

type Schema = { properties?: Record<string, Record<string, unknown>> };
type Op = {
  security: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
};

const document = openApiDocument();
const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
  Object.entries(ops as Record<string, Op>).map(([method, op]) => ({ path, method, op })),
);

describe("the generated OpenAPI document", () => {
  it("is built once per process", () => {
    expect(openApiDocument()).toBe(document);
  });

  it("carries the request bounds the API enforces", () => {
    const paths = document.paths as Record<string, Record<string, Op>>;
    const body = paths["/api/v1/admin/drops"]?.post?.requestBody;
    const fields = body?.content["application/json"]?.schema.properties ?? {};
    expect(fields.title).toMatchObject({ type: "string", minLength: 1, maxLength: 120 });
    expect(fields.units).toMatchObject({ type: "integer", minimum: 1, maximum: 1_000_000 });
  });

  it("lists every error code, and only those", () => {
    const error = document.components.schemas.Error as {
      properties: { error: { properties: { code: { enum: string[] } } } };
    };
    expect(error.properties.error.properties.code.enum).toEqual(Object.keys(errorStatus));
  });

  it("gives admin routes admin security, player routes player security, public routes none", () => {
    const roles = (op: Op) => [...new Set(op.security.flatMap((s) => Object.values(s).flat()))];
    for (const { path, method, op } of operations) {
      const where = `${method} ${path}`;
      if (path.startsWith("/api/v1/admin/")) {
        expect(roles(op).length, where).toBeGreaterThan(0);
        expect(
          roles(op).filter((r) => r !== "admin" && r !== "auditor"),
          where,
        ).toEqual([]);
      }
      if (roles(op).length > 0) expect(Object.keys(op.responses), where).toContain("401");
    }
    const security = (path: string, method: string) =>
      (document.paths as Record<string, Record<string, Op>>)[path]?.[method]?.security;
    expect(security("/api/v1/drops/{dropId}/claims", "post")).toEqual([
      { bearer: ["player"] },
      { session: ["player"] },
    ]);
    expect(security("/api/v1/drops", "get")).toEqual([]);
  });
});
