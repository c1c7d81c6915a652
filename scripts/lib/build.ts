/**
 * The production build (`npm run build`, and `npm start` when the sources changed): the Next.js
 * standalone server with its static files beside it, and the bundled entry points. A build-host
 * tool: it needs the dev dependencies (Next's compiler, esbuild, Hardhat).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { bundleEntryPoints } from "./bundle";
import { ensureContractsCompiled, NEXT_BIN, run } from "./runtime";

// patches/: the standalone build copies the patched packages (postgres.js) it runs with.
const SOURCES = ["app", "components", "lib", "db", "public", "patches"];
const SOURCE_FILES = [
  "next.config.js",
  "package-lock.json",
  "tsconfig.json",
  "auth.ts",
  "proxy.ts",
  "instrumentation.ts",
  "instrumentation-client.ts",
];

function hashSources(): string {
  const hash = createHash("sha256");
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) visit(path.join(p, entry));
    } else if (!p.endsWith(".test.ts")) {
      hash.update(p).update(fs.readFileSync(p));
    }
  };
  for (const p of [...SOURCES, ...SOURCE_FILES]) visit(p);
  return hash.digest("hex");
}

const distDir = () => process.env.NEXT_DIST_DIR || ".next";

/** Where `next build` puts the server of `output: "standalone"`. */
const standaloneServer = () => path.join(distDir(), "standalone", "server.js");

/**
 * The standalone server serves `<distDir>/static` and `public/` only from beside itself, and
 * `next build` leaves the copying to us.
 */
function copyStaticFiles(): void {
  const standalone = path.join(distDir(), "standalone");
  fs.cpSync(path.join(distDir(), "static"), path.join(standalone, distDir(), "static"), {
    recursive: true,
  });
  if (fs.existsSync("public")) {
    fs.cpSync("public", path.join(standalone, "public"), { recursive: true });
  }
}

async function buildWeb(log: (line: string) => void): Promise<void> {
  log("building the web app (first start or sources changed; takes a minute or two)…");
  const stamp = path.join(distDir(), "prizeledger-sources");
  const sources = hashSources();
  await run(process.execPath, [NEXT_BIN, "build"], { NEXT_TELEMETRY_DISABLED: "1" });
  copyStaticFiles();
  fs.writeFileSync(stamp, sources);
}

/**
 * Builds the web app when there is no build yet or its sources changed since the last one, and
 * bundles the entry points every time: that takes a second, and so they can never be stale.
 */
export async function ensureProductionBuild(
  log: (line: string) => void,
  { force = false } = {},
): Promise<void> {
  // deploy-ledger's bundle carries the compiled contract.
  await ensureContractsCompiled(log);
  const stamp = path.join(distDir(), "prizeledger-sources");
  const current =
    !force &&
    fs.existsSync(standaloneServer()) &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, "utf8") === hashSources();
  if (!current) await buildWeb(log);
  await bundleEntryPoints();
}
