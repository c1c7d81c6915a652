/**
 * `npm run build:verify` (and the package's prepack): builds packages/verify/dist/cli.mjs, the
 * standalone verifier, and says how big it came out.
 */
import fs from "node:fs";
import path from "node:path";
import { bundleVerifier, VERIFY_BUNDLE } from "./lib/bundle-verify";

await bundleVerifier();
const kB = Math.round(fs.statSync(VERIFY_BUNDLE).size / 1000);
console.log(`${path.relative(process.cwd(), VERIFY_BUNDLE)}: ${kB} kB`);
