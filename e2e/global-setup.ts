import fs from "node:fs";
import path from "node:path";

/** Clears the screenshots of an earlier run, so every PNG in the folder is from this one. */
export default function globalSetup(): void {
  fs.rmSync(path.join("test-results", "screenshots"), { recursive: true, force: true });
}
