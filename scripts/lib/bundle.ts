/**
 * The production entry points as plain Node modules (`dist/*.mjs`), so that a production host runs
 * them with `node` and its production dependencies only: no tsx, no TypeScript, no Hardhat.
 * Packages stay external (installed by `npm ci --omit=dev`); the project's own code is bundled.
 */
import fs from "node:fs";
import path from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { LEDGER_ARTIFACT, type LedgerArtifact } from "../../lib/ledger/ledger-artifact";

/** What `npm run web`, `npm run worker` and an operator's console need on a production host. */
export const ENTRY_POINTS = [
  "web",
  "web-server",
  "web-direct-routes",
  "worker",
  "accounts",
  "verify",
  "audit",
  "deploy-ledger",
  "witness",
];

export const BUNDLE_DIR = "dist";
/** Beside the bundles: every input and import of them all, for whoever checks what went in. */
const METAFILE = "metafile.json";

/**
 * `server-only` throws unless resolved under React's server condition, which only Next.js sets:
 * a Node process is server-side by definition, so the bundles take its no-op entry.
 */
const serverOnly: Plugin = {
  name: "server-only",
  setup(build) {
    build.onResolve({ filter: /^server-only$/ }, () => ({
      path: path.resolve("node_modules/server-only/empty.js"),
    }));
  },
};

/**
 * Packages stay external (a production install has them), except Auth.js: its modules import
 * Next's subpaths without extensions (`next/headers`), which Node's ESM loader cannot resolve in
 * a package with no exports map, so it is bundled with what it imports, and every import of a
 * Next subpath is given its file's extension (`next/headers.js`).
 */
const externalPackages: Plugin = {
  name: "external-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@/")) return undefined;
      if (/^next\/[\w-]+$/.test(args.path)) return { path: `${args.path}.js`, external: true };
      // Only Auth.js is bundled from node_modules, so an import from in there is one of its own.
      const fromPackage = /[\\/]node_modules[\\/]/.test(args.importer);
      if (
        /^next-auth(?:\/|$)/.test(args.path) ||
        (fromPackage && !/^next(?:\/|$)/.test(args.path))
      ) {
        return undefined;
      }
      return { path: args.path, external: true };
    });
  },
};

/** deploy-ledger carries the compiled contract itself: a production host has no artifacts/. */
function embeddedLedgerArtifact(artifact: LedgerArtifact): Plugin {
  return {
    name: "ledger-artifact",
    setup(build) {
      build.onLoad({ filter: /[\\/]lib[\\/]ledger[\\/]ledger-artifact\.ts$/ }, () => ({
        loader: "js",
        contents: `const artifact = ${JSON.stringify(artifact)};
export async function readLedgerArtifact() { return artifact; }`,
      }));
    },
  };
}

/** Bundles every entry point into `outdir`; returns the metafile (also written beside them). */
export async function bundleEntryPoints(outdir = BUNDLE_DIR): Promise<Metafile> {
  const { abi, bytecode } = JSON.parse(fs.readFileSync(LEDGER_ARTIFACT, "utf8")) as LedgerArtifact;
  const result = await build({
    entryPoints: Object.fromEntries(ENTRY_POINTS.map((name) => [name, `scripts/${name}.ts`])),
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    tsconfig: "tsconfig.json",
    plugins: [serverOnly, externalPackages, embeddedLedgerArtifact({ abi, bytecode })],
    metafile: true,
    sourcemap: "linked",
    logLevel: "warning",
    write: false,
  });
  // The e2e stack may bundle while a developer's npm start runs these very files.
  writeBundles(result, path.resolve(outdir, METAFILE));
  return result.metafile;
}

/**
 * Writes a build's files and its metafile, each aside and then renamed into place, so that no
 * process ever starts a half-written one.
 */
export function writeBundles(
  result: { outputFiles: Array<{ path: string; contents: Uint8Array }>; metafile: Metafile },
  metafilePath: string,
): void {
  const files = [
    ...result.outputFiles.map((file) => ({ path: file.path, contents: file.contents })),
    { path: metafilePath, contents: JSON.stringify(result.metafile) },
  ];
  for (const file of files) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(temp, file.contents);
    fs.renameSync(temp, file.path);
  }
}
