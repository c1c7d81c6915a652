import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { tsxArgs } from "../scripts/lib/runtime";
import { BASE_URL, CHAIN_RPC_URL, E2E_CHAIN_PORT, E2E_DATA_DIR } from "./constants";
import { apiToken, createPlayer, findOpenDrop, LAUNCH_DROP, shot } from "./helpers";

const run = promisify(execFile);

/** A fresh player claims a unit of the launch drop through the API; waits until it is anchored. */
async function claimAndAnchor(request: APIRequestContext): Promise<void> {
  const drop = await findOpenDrop(request, LAUNCH_DROP);
  if (!drop) throw new Error(`no open drop "${LAUNCH_DROP}"`);
  const player = await createPlayer(request, "ledger");
  const token = await apiToken(request, player.email, player.password);
  const headers = { authorization: `Bearer ${token}` };
  const res = await request.post(`/api/v1/drops/${drop.id}/claims`, { headers });
  expect(res.status(), await res.text()).toBe(201);
  const { redemption } = (await res.json()) as { redemption: { id: string } };
  await expect
    .poll(
      async () => {
        const receipt = await request.get(`/api/v1/redemptions/${redemption.id}/receipt`, {
          headers,
        });
        return ((await receipt.json()) as { status: string }).status;
      },
      { timeout: 30_000, intervals: [250, 500, 1000] },
    )
    .toBe("anchored");
}

test.describe("public ledger", () => {
  test("lists checkpoints and pages through every leaf; the audit CLI passes", async ({
    page,
    request,
  }) => {
    await claimAndAnchor(request);
    const { checkpoints } = (await (await request.get("/api/v1/ledger/checkpoints")).json()) as {
      checkpoints: Array<{ treeSize: number; rootHash: string }>;
    };
    const newest = checkpoints[0];
    if (!newest) throw new Error("no checkpoint");

    await page.goto("/ledger");
    await expect(page.getByRole("heading", { name: "Public ledger" })).toBeVisible();
    await expect(page.getByTestId("checkpoint-row").first()).toContainText(String(newest.treeSize));
    const rows = page.getByTestId("leaf-row");
    await expect(rows.first()).toBeVisible();
    await expect(rows.first().locator("td").first()).toHaveText("0");
    await expect(rows.first()).toContainText("redemption");
    const onFirstPage = await rows.count();
    expect(onFirstPage).toBeGreaterThanOrEqual(Math.min(newest.treeSize, 100));
    expect(onFirstPage).toBeLessThanOrEqual(100);
    await expect(page.getByTestId("leaf-page-info")).toContainText("Page 1 of");
    await expect(page.getByTestId("leaf-prev")).toHaveAttribute("aria-disabled", "true");
    const identity = (await (await request.get("/.well-known/prizeledger.json")).json()) as {
      chainId: number;
      contract: string;
    };
    await expect(page.getByTestId("identity-contract")).toHaveText(identity.contract);
    await expect(page.getByTestId("identity-chain-id")).toHaveText(String(identity.chainId));
    await expect(page.getByTestId("audit-howto")).toContainText(
      `npm run audit -- --url <this site> --contract ${identity.contract} --chain-id ${identity.chainId}`,
    );
    await shot(page, "ledger-page-1");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "ledger-page-1-phone");
    await page.setViewportSize({ width: 1280, height: 800 });

    const info = (await page.getByTestId("leaf-page-info").textContent()) ?? "";
    const pages = Number(/Page 1 of (\d+)/.exec(info)?.[1]);
    if (pages > 1) {
      await page.getByTestId("leaf-next").click();
      await expect(page).toHaveURL(/\/ledger\?page=2/);
      await expect(page.getByTestId("leaf-page-info")).toContainText("Page 2 of");
      await expect(rows.first().locator("td").first()).toHaveText("100");
      await expect(page.getByTestId("leaf-prev")).not.toHaveAttribute("aria-disabled", "true");
      await shot(page, "ledger-page-2");
    } else {
      await expect(page.getByTestId("leaf-next")).toHaveAttribute("aria-disabled", "true");
    }
    // An out-of-range page shows the last one rather than an empty table.
    await page.goto("/ledger?page=9999");
    await expect(page.getByTestId("leaf-page-info")).toContainText(`Page ${pages} of ${pages}`);
    await expect(rows.first()).toBeVisible();

    // The monitor, run inside the installation with no flags: it trusts the contract npm start
    // deployed (as recorded in the data directory), not whatever the log API names.
    const audit = (args: string[]) =>
      run(process.execPath, tsxArgs("scripts/audit.ts", ...args), {
        timeout: 60_000,
        env: {
          NODE_ENV: "test",
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PRIZELEDGER_DATA_DIR: E2E_DATA_DIR,
          EMBEDDED_CHAIN_PORT: String(E2E_CHAIN_PORT),
        },
      }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(
          `audit failed: ${error.message}\n${error.stdout ?? ""}${error.stderr ?? ""}`,
        );
      });
    const inside = await audit(["--url", BASE_URL]);
    expect(inside.stdout).toContain(
      `Trusting this installation (${E2E_DATA_DIR}/chain/ledger.json)`,
    );
    expect(inside.stdout).toContain(`against contract ${identity.contract} via ${CHAIN_RPC_URL}`);
    expect(inside.stdout).toContain("Audit passed.");
    expect(inside.stdout).toMatch(/checkpoints checked: [1-9]/);
    // From anywhere, naming the operator: its published identity is the trust root.
    const named = await audit(["--url", BASE_URL, "--operator", BASE_URL]);
    expect(named.stdout).toContain(`Trusting ${BASE_URL}/.well-known/prizeledger.json`);
    expect(named.stdout).toContain("Audit passed.");
  });
});
