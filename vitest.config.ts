import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["**/*.test.ts"],
    // e2e/ is Playwright's and contracts/test/ is Hardhat's.
    exclude: ["node_modules/**", "e2e/**", "contracts/**", ".next/**", ".next-e2e/**", ".data/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
