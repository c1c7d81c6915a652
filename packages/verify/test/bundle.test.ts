/**
 * The standalone verifier is the same code as /verify: its bundle's inputs include the very
 * lib/ledger modules the /verify page (components/ledger/receipt-verifier.tsx) imports to verify,
 * and it imports no package at run time.
 */
import fs from "node:fs";
import { builtinModules } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleVerifier } from "@/scripts/lib/bundle-verify";

const repository = path.resolve(import.meta.dirname, "../../..");
/** The lib/ledger modules a source file imports (as `@/lib/ledger/x`). */
function ledgerImports(file: string): string[] {
  const source = fs.readFileSync(path.join(repository, file), "utf8");
  const found = [...source.matchAll(/from "@\/(lib\/ledger\/[\w-]+)"/g)];
  return found.map((match) => `${match[1]}.ts`);
}

let tmp = "";
let metafile: Metafile;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "prizeledger-verify-bundle-"));
  metafile = await bundleVerifier(path.join(tmp, "cli.mjs"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("the verifier's bundle", () => {
  it("contains the lib/ledger modules /verify imports to verify", () => {
    const page = ledgerImports("components/ledger/receipt-verifier.tsx");
    expect(page).toEqual(
      expect.arrayContaining([
        "lib/ledger/receipt.ts",
        "lib/ledger/provisional.ts",
        "lib/ledger/receipt-chain.ts",
      ]),
    );
    const inputs = Object.keys(metafile.inputs);
    expect(page.filter((file) => !inputs.includes(file))).toEqual([]);
    // Through them, the Merkle maths: one implementation for the page and the command line.
    expect(inputs).toContain("lib/ledger/merkle.ts");
  });

  it("imports nothing but Node's own modules at run time", () => {
    const imports = Object.values(metafile.outputs).flatMap((output) => output.imports);
    const foreign = imports.filter((i) => !builtinModules.includes(i.path.replace(/^node:/, "")));
    expect(foreign).toEqual([]);
  });
});
