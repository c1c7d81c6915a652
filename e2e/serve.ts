/**
 * Playwright's web server: wipes the e2e data directory so every run starts from a fresh database
 * and chain (the demo data is seeded again), then runs the ordinary `scripts/start.ts`.
 */
import fs from "node:fs";
import path from "node:path";
import { E2E_DATA_DIR } from "./constants";

process.env.PRIZELEDGER_DATA_DIR ||= E2E_DATA_DIR;
const dataDir = path.resolve(process.env.PRIZELEDGER_DATA_DIR);
if (!dataDir.startsWith(path.resolve(".data") + path.sep)) {
  throw new Error(`refusing to wipe ${dataDir}: the e2e data directory must be inside .data/`);
}
fs.rmSync(dataDir, { recursive: true, force: true });
console.log(`[e2e] wiped ${dataDir}; starting a fresh stack`);

await import("../scripts/start");
