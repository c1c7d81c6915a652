import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * What a "use client" module pulls in is shipped to the browser: the database layer, Node
 * built-ins and server-only modules must never be reached from one. Type-only imports count too:
 * they keep server code in the type graph a later edit turns into a value import unnoticed.
 */
const root = path.resolve(import.meta.dirname, "..");
const compilerOptions: ts.CompilerOptions = {
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  module: ts.ModuleKind.ESNext,
  baseUrl: root,
  paths: { "@/*": ["./*"] },
  resolveJsonModule: true,
  jsx: ts.JsxEmit.ReactJSX,
};
/** Server packages: the database, secrets' hashing, mail, GeoIP, logs, request headers. */
const forbiddenPackages = new Set([
  "drizzle-orm",
  "postgres",
  "server-only",
  "@node-rs/argon2",
  "nodemailer",
  "maxmind",
  "pino",
  "next/headers",
]);
const builtins = new Set(builtinModules);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

function directive(source: string): string | undefined {
  return /^\s*(?:\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*["'](use client|use server)["']/.exec(
    source,
  )?.[1];
}

/** Why a specifier may not be in the browser's graph, or undefined when it may. */
function forbidden(specifier: string, resolved: string | undefined): string | undefined {
  if (specifier.startsWith("node:") || builtins.has(specifier.split("/")[0] ?? specifier)) {
    return "a Node built-in";
  }
  const pkg = specifier.startsWith("@")
    ? specifier.split("/").slice(0, 2).join("/")
    : specifier.split("/")[0];
  if (pkg && forbiddenPackages.has(pkg)) return `the ${pkg} package`;
  if (forbiddenPackages.has(specifier)) return specifier;
  if (resolved && path.relative(root, resolved).startsWith(`db${path.sep}`)) return "db/";
  return undefined;
}

type Violation = { chain: string[]; reason: string };

function walk(entry: string): Violation[] {
  const violations: Violation[] = [];
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, "utf8");
    // A server action module reaches the browser as references to its functions, not as code.
    if (chain.length > 0 && directive(source) === "use server") return;
    const here = [...chain, path.relative(root, file)];
    for (const { fileName } of ts.preProcessFile(source, true, true).importedFiles) {
      const resolved = ts.resolveModuleName(fileName, file, compilerOptions, ts.sys).resolvedModule
        ?.resolvedFileName;
      // An import nothing resolves cannot be checked: it fails rather than passing unseen
      // (stylesheets excepted: the bundler handles them, and they import no code).
      const unresolved = !resolved && !fileName.endsWith(".css");
      const reason =
        forbidden(fileName, resolved) ??
        (unresolved ? "an import that does not resolve" : undefined);
      if (reason) {
        violations.push({ chain: [...here, fileName], reason });
      } else if (resolved && !resolved.includes("node_modules") && !resolved.endsWith(".d.ts")) {
        visit(resolved, here);
      }
    }
  };
  visit(entry, []);
  return violations;
}

/** "use client" modules, and instrumentation-client.ts, which Next.js runs in every browser. */
const clientModules = [
  ...["app", "components", "lib"]
    .flatMap((dir) => sourceFiles(path.join(root, dir)))
    .filter((file) => directive(fs.readFileSync(file, "utf8")) === "use client"),
  path.join(root, "instrumentation-client.ts"),
];

describe("client modules", () => {
  it("are found", () => {
    expect(clientModules.length).toBeGreaterThan(10);
  });

  it.each(clientModules.map((file) => [path.relative(root, file), file]))(
    "%s reaches no server code",
    (_, file) => {
      const found = walk(file).map((v) => `${v.chain.join(" → ")} (${v.reason})`);
      expect(found).toEqual([]);
    },
  );
});
