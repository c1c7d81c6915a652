import fs from "node:fs";
import path from "node:path";
import { TOTP_STEPS_FILE } from "./constants";

/**
 * Clears the screenshots of an earlier run, so every PNG in the folder is from this one, and the
 * two-factor steps it used (the server's database is new each run).
 */
export default function globalSetup(): void {
  fs.rmSync(path.join("test-results", "screenshots"), { recursive: true, force: true });
  fs.rmSync(TOTP_STEPS_FILE, { force: true });
}
