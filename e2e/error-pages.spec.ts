/**
 * What a visitor sees when the server fails: a web instance of the e2e installation whose database
 * has gone away (its DATABASE_URL names a port nothing listens on), so pages that read it fail for
 * real. The root layout cannot be made to fail so (Auth.js takes a session it cannot check for
 * none): app/global-error.tsx is rendered in Vitest (app/boundaries.test.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { codeKeyEnvironment } from "../lib/codes/code-crypto";
import { parseEnv } from "../lib/config/env";
import { freePort } from "../scripts/lib/free-port";
import { webServerCommand } from "../scripts/lib/web-server";
import { E2E_DATA_DIR, E2E_NO_DB_PORT } from "./constants";
import { closeHeaderMenu, openHeaderMenu, shot } from "./helpers";

const BROKEN_URL = `http://localhost:${E2E_NO_DB_PORT}`;

let web: ChildProcess | undefined;
let deadPort = 0;
let exited: Promise<unknown> = Promise.resolve();
/** The instance's log (JSON lines on stderr). */
let serverLog = "";

test.beforeAll(async () => {
  deadPort = await freePort();
  const environment = {
    ...process.env,
    NEXT_DIST_DIR: ".next-e2e",
    PRIZELEDGER_DATA_DIR: E2E_DATA_DIR,
    PORT: String(E2E_NO_DB_PORT),
    DATABASE_URL: `postgres://prizeledger:prizeledger@127.0.0.1:${deadPort}/prizeledger`,
    // The installation's own secrets: only its database is missing.
    AUTH_SECRET: fs.readFileSync(path.join(E2E_DATA_DIR, "auth-secret"), "utf8").trim(),
    AUTH_TRUST_HOST: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    ...codeKeyEnvironment({}, E2E_DATA_DIR),
  };
  const server = webServerCommand(parseEnv(environment), environment.NEXT_DIST_DIR);
  // A process group of its own, so that stopping it stops everything it started.
  web = spawn(process.execPath, server.args, {
    env: { ...environment, ...server.env },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  web.stderr?.on("data", (chunk: Buffer) => {
    serverLog += chunk.toString();
  });
  exited = new Promise((resolve) => web?.on("exit", resolve));
  await expect
    .poll(
      async () => (await fetch(`${BROKEN_URL}/api/health`).catch(() => undefined))?.status ?? 0,
      { message: "the web instance answers", timeout: 90_000 },
    )
    .toBeGreaterThan(0);
});

test.afterAll(async () => {
  if (web?.pid && web.exitCode === null) process.kill(-web.pid, "SIGTERM");
  await exited;
});

/** The boundary's content, and nothing of the failure's own text. */
async function expectErrorNotice(page: Page): Promise<void> {
  const notice = page.getByRole("alert").filter({ has: page.getByRole("heading") });
  await expect(notice.getByRole("heading", { name: "Something went wrong" })).toBeVisible();
  await expect(notice).toContainText("a problem on our side");
  // The digest: what the server's log files the error under, for the visitor to quote.
  await expect(page.getByTestId("error-reference")).toHaveText(/^\w{6,}$/);
  await expect(notice.getByRole("button", { name: "Try again" })).toBeVisible();
  await expect(notice.getByRole("link", { name: "Back to the drops" })).toHaveAttribute(
    "href",
    "/",
  );
  // Not even in the page's data for the browser: the driver's message names the database.
  const html = await page.content();
  for (const leak of ["ECONNREFUSED", `:${deadPort}`]) expect(html).not.toContain(leak);
}

for (const size of [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
]) {
  test.describe(size.name, () => {
    test.use({ viewport: size.viewport });

    test("a page whose data cannot be read says so, under the site's header", async ({ page }) => {
      const response = await page.goto(`${BROKEN_URL}/`);
      expect(response?.status()).toBe(500);
      await expectErrorNotice(page);
      // On a phone the site's links are behind the header's Menu.
      await openHeaderMenu(page);
      await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
      await shot(page, `error-pages-${size.name}-01-page`);
      await closeHeaderMenu(page);

      // Trying again asks the server afresh: the database is still away, so the notice stays.
      const reference = await page.getByTestId("error-reference").textContent();
      await page.getByRole("button", { name: "Try again" }).click();
      await expectErrorNotice(page);
      expect(await page.getByTestId("error-reference").textContent()).toBe(reference);

      // The reference leads to the failure in the server's log, with the request's id.
      const logged = () =>
        serverLog
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((line) => line.event === "request_failed" && line.digest === reference);
      await expect.poll(logged).toMatchObject({
        level: "error",
        path: "/",
        requestId: expect.stringMatching(/^[\w.-]+$/),
      });
    });

    test("a page that streams (it shows a loading state first) fails into the same notice", async ({
      page,
    }) => {
      // Its status went out with the loading state, before the page failed: the notice is all.
      await page.goto(`${BROKEN_URL}/ledger`);
      await expectErrorNotice(page);
      await expect(page.getByRole("status")).toHaveCount(0);
      await shot(page, `error-pages-${size.name}-02-streamed`);
    });
  });
}
