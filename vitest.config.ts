import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // `server-only` throws unless bundled for React Server Components; tests run server code as
      // plain Node, which is what it is, so they get the package's no-op entry.
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    // e2e/ is Playwright's and contracts/test/ is Hardhat's.
    exclude: ["node_modules/**", "e2e/**", "contracts/**", ".next/**", ".next-e2e/**", ".data/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Push on, as npm start has it (the key alone: subscribing works, sending needs the worker's).
    env: {
      VAPID_PUBLIC_KEY:
        "BHwtqTO-Ncfc9LPn-VBHs9fCR35Z-4ubV2fCILZ2VgjBHx5vTwgZz2zRlXuC5b_ePoF00dCmVW9yraCQy-AmLfc",
    },
    // next-auth imports `next/server` without an extension, which Node's own ESM loader refuses;
    // bundled through Vite it resolves (the authorisation tests load Auth.js's route).
    server: { deps: { inline: ["next-auth"] } },
  },
});
