import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi";

/** Every API route file, as the OpenAPI path it serves. */
function routePaths(dir: string, prefix: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const segment = entry.name.replace(/^\[(.+)\]$/, "{$1}");
      return routePaths(full, `${prefix}/${segment}`);
    }
    return entry.name === "route.ts" ? [prefix] : [];
  });
}

describe("OpenAPI document", () => {
  it("describes every public API route", () => {
    const routes = [...routePaths(path.resolve("app/api/v1"), "/api/v1"), "/api/health"].filter(
      (p) => p !== "/api/v1/openapi.json",
    );
    expect(Object.keys(openApiDocument.paths).sort()).toEqual(routes.sort());
  });
});
