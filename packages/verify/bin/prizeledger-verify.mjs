#!/usr/bin/env node
// The verifier itself is built into ../dist/cli.mjs (npm run build:verify; npm pack builds it
// too). This launcher is committed so that `npm ci` can link the bin before anything is built.
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.mjs", import.meta.url);
if (!existsSync(cli)) {
  console.error(
    "prizeledger-verify is not built: run `npm run build:verify` in the Prizeledger repository.",
  );
  process.exit(2);
}
await import(cli.href);
