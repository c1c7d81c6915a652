import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * /verify and the standalone verifier bundle these modules for the browser: they may import only
 * each other, @noble/hashes and the ledger's RFC 6962 code (itself only @noble/hashes), never
 * Node built-ins or server-only code. Only sign.ts is Node's.
 */
const dir = import.meta.dirname;
const SERVER_ONLY = new Set(["sign.ts"]);
const isomorphic = fs
  .readdirSync(dir)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && !SERVER_ONLY.has(name));

function specifiers(source: string): string[] {
  return [
    ...source.matchAll(
      /(?:^|\n)\s*(?:import|export)[^"';]*?from\s*["']([^"']+)["']|import\s*["']([^"']+)["']/g,
    ),
  ].map((match) => match[1] ?? match[2] ?? "");
}

describe("lib/tlog's isomorphic modules", () => {
  it.each(isomorphic)("%s imports only its siblings, @noble/hashes and merkle", (name) => {
    const source = fs.readFileSync(path.join(dir, name), "utf8");
    for (const specifier of specifiers(source)) {
      expect(specifier, `${name} imports ${specifier}`).toMatch(
        /^(?:\.\/[a-z0-9-]+|@noble\/hashes\/[a-z0-9]+|@\/lib\/ledger\/merkle)$/,
      );
      if (specifier.startsWith("./"))
        expect(SERVER_ONLY.has(`${specifier.slice(2)}.ts`)).toBe(false);
    }
    expect(source).not.toMatch(/\bBuffer\s*[.(]/);
  });

  it("finds them all", () => {
    expect(isomorphic).toEqual(
      expect.arrayContaining(["note.ts", "base64.ts", "checkpoint.ts", "ed25519.ts"]),
    );
  });
});
