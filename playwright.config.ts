// Specs and helpers import server modules: `server-only` must be the no-op it is under Node.
import "./scripts/lib/server-only-noop.mjs";
import fs from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import {
  BASE_URL,
  E2E_CHAIN_PORT,
  E2E_DATA_DIR,
  E2E_GIFTCARD_ADMIN_TOKEN,
  E2E_GIFTCARD_PORT,
  E2E_METRICS_PORT,
  E2E_PAYMENTS_PORT,
  E2E_PG_PORT,
  E2E_PORT,
  E2E_WITNESS_PORT,
  E2E_WORKER_PORT,
} from "./e2e/constants";

// Playwright cannot download browsers here: use the system Chromium when there is one.
const SYSTEM_CHROMIUM = "/usr/bin/chromium";
const executablePath = fs.existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;

export default defineConfig({
  testDir: "./e2e",
  // One stack with shared demo data: run the specs one after another.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 120_000,
  // Anchoring takes a few seconds (batching plus a transaction); leave room for a slow machine.
  expect: { timeout: 20_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  // Playwright empties its output folder on start: keep it apart from the other suites' reports
  // (test-results/vitest.json); the specs' own screenshots go to test-results/screenshots.
  outputDir: "test-results/playwright",
  globalSetup: "./e2e/global-setup.ts",
  use: {
    baseURL: BASE_URL,
    // Pages show times in the viewer's locale and zone: pin both, so that a spec reads the same
    // words on any machine (e2e/locale.spec.ts opens its own contexts in others).
    locale: "en-GB",
    timezoneId: "UTC",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    // e2e/serve.ts wipes PRIZELEDGER_DATA_DIR, then runs scripts/start.ts: a fresh, seeded stack.
    command:
      "node node_modules/tsx/dist/cli.mjs --import ./scripts/lib/server-only-noop.mjs e2e/serve.ts",
    url: `${BASE_URL}/api/health`,
    timeout: 300_000,
    reuseExistingServer: !process.env.CI,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    env: {
      PRIZELEDGER_DATA_DIR: E2E_DATA_DIR,
      NEXT_DIST_DIR: ".next-e2e",
      PORT: String(E2E_PORT),
      EMBEDDED_PG_PORT: String(E2E_PG_PORT),
      EMBEDDED_CHAIN_PORT: String(E2E_CHAIN_PORT),
      EMBEDDED_PAYMENTS_PORT: String(E2E_PAYMENTS_PORT),
      EMBEDDED_GIFTCARD_PORT: String(E2E_GIFTCARD_PORT),
      EMBEDDED_WITNESS_PORT: String(E2E_WITNESS_PORT),
      METRICS_PORT: String(E2E_METRICS_PORT),
      WORKER_PORT: String(E2E_WORKER_PORT),
      METRICS_TOKEN: "",
      GIFTCARD_ADMIN_TOKEN: E2E_GIFTCARD_ADMIN_TOKEN,
      // Blank means unset: never let a developer's own database or chain leak into the e2e stack
      // (it would skip the embedded services and the demo seed).
      DATABASE_URL: "",
      LEDGER_RPC_URL: "",
      LEDGER_PUBLIC_RPC_URL: "",
      LEDGER_CONTRACT: "",
      ANCHORER_KEY: "",
      PRIZE_TOKEN_CONTRACT: "",
      TREASURY_KEY: "",
      // The stack's own log key and witnesses, made fresh in its data directory.
      LOG_ORIGIN: "",
      LOG_SIGNING_KEY: "",
      LOG_VERIFIER_KEY: "",
      LOG_WITNESSES: "",
      WITNESS_QUORUM: "",
      PAYMENT_PROVIDER_URL: "",
      PAYMENT_WEBHOOK_SECRET: "",
      GIFTCARD_PROVIDER_URL: "",
      GIFTCARD_FAULTS: "",
      // The specs read mail at the demo's open mailbox (e2e/mail-capture.spec.ts starts its own
      // web instance for the admins-only one).
      SMTP_URL: "",
      MAIL_CAPTURE: "",
      // e2e/push.spec.ts pushes to its own local push service on loopback (plain http).
      PUSH_ALLOW_INSECURE: "true",
      VAPID_PUBLIC_KEY: "",
      VAPID_PRIVATE_KEY: "",
      // The specs sign in as the one demo admin dozens of times in a few minutes; the per-account
      // limit itself is tested in Vitest (lib/auth/sign-in.test.ts).
      SIGN_IN_RATE_LIMIT: "1000",
    },
  },
});
