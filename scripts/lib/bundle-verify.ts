/**
 * The standalone verifier (packages/verify): its command line and everything it imports, the
 * project's lib/ledger and the packages alike, in one file with no runtime dependency, so that
 * `npx ./prizeledger-verify-<version>.tgz` runs with no registry and no repository.
 */
import path from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { writeBundles } from "./bundle";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const VERIFY_PACKAGE = path.join(ROOT, "packages/verify");
export const VERIFY_BUNDLE = path.join(VERIFY_PACKAGE, "dist/cli.mjs");

/**
 * The verifier runs what /verify runs in the browser, which never includes server code: a
 * `server-only` import reaching the bundle is a mistake to stop at build time, not to bundle.
 */
const noServerCode: Plugin = {
  name: "no-server-code",
  setup(build) {
    build.onResolve({ filter: /^server-only$/ }, (args) => ({
      errors: [{ text: `${args.importer} is server code: the verifier bundles none` }],
    }));
  },
};

/** Bundles the verifier into `outfile`; returns the metafile (also written beside it). */
export async function bundleVerifier(outfile = VERIFY_BUNDLE): Promise<Metafile> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ["packages/verify/src/main.ts"],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    tsconfig: "tsconfig.json",
    minify: true,
    legalComments: "linked",
    plugins: [noServerCode],
    metafile: true,
    logLevel: "warning",
    write: false,
  });
  // A pack may build while someone runs the bin from the repository.
  writeBundles(result, path.join(path.dirname(outfile), "metafile.json"));
  return result.metafile;
}
