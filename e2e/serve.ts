/**
 * Playwright's web server: wipes the e2e data directory so every run starts from a fresh database
 * and chain (demo data is seeded again), then runs the ordinary `scripts/start.ts`.
 */
import fs from "node:fs";
import path from "node:path";

const dataDir = path.resolve(process.env.PRIZELEDGER_DATA_DIR ?? ".data/e2e");
if (!dataDir.includes(`${path.sep}.data${path.sep}`)) {
  throw new Error(`refusing to wipe ${dataDir}: the e2e data directory must live under .data/`);
}
fs.rmSync(dataDir, { recursive: true, force: true });
console.log(`[e2e] wiped ${dataDir}`);

await import("../scripts/start");
