import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { decodeEntryBundle, formatTilePath } from "../lib/tlog/tiles";
import { BASE_URL, CHAIN_RPC_URL, E2E_CHAIN_PORT, E2E_DATA_DIR } from "./constants";
import { createCryptoDrops } from "./crypto-drops";
import {
  AUDITOR_EMAIL,
  apiToken,
  awaitAnchoredReceipt,
  createPlayer,
  findOpenDrop,
  LAUNCH_DROP,
  shot,
  signIn,
  TX_HASH,
} from "./helpers";

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
  await awaitAnchoredReceipt(request, redemption.id, headers);
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
    await expect(rows.first()).toContainText("Redemption");
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
      run(process.execPath, ["dist/audit.mjs", ...args], {
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

/** Desktop, then phone, then back: the two sizes every page is looked at. */
async function shotBoth(page: Page, name: string): Promise<void> {
  await shot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** A fresh player claims the one unit of a drop of its own; returns the claim once sequenced. */
async function claimOwnDrop(request: APIRequestContext, name: string) {
  const [dropId] = await createCryptoDrops(name, 1);
  const player = await createPlayer(request, "ledger-search");
  const headers = {
    authorization: `Bearer ${await apiToken(request, player.email, player.password)}`,
  };
  const res = await request.post(`/api/v1/drops/${dropId}/claims`, { headers });
  expect(res.status(), await res.text()).toBe(201);
  const { redemption } = (await res.json()) as { redemption: { id: string } };
  let index: number | null = null;
  await expect
    .poll(
      async () => {
        const receipt = await request.get(`/api/v1/redemptions/${redemption.id}/receipt`, {
          headers,
        });
        index = ((await receipt.json()) as { leaf: { index: number | null } }).leaf.index;
        return index;
      },
      { timeout: 30_000, intervals: [250, 500, 1000] },
    )
    .not.toBeNull();
  return { player, redemptionId: redemption.id, index: index as unknown as number };
}

/** A JSON answer fetched by the page itself, with its status. */
function getJson(page: Page, path: string): Promise<{ status: number; body: unknown }> {
  return page.evaluate(async (url) => {
    const res = await fetch(url, { cache: "no-store" });
    return { status: res.status, body: (await res.json()) as unknown };
  }, path);
}

async function search(page: Page, q: string): Promise<void> {
  await page.getByLabel("Find an entry").fill(q);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(
    new RegExp(`/ledger/search\\?q=${encodeURIComponent(q).slice(0, 20)}`),
  );
}

test.describe("the log for tile clients", () => {
  // Through the real server: the router, the proxy's matcher and next.config's headers.
  test("serves C2SP tiles and proofs as shareable files, without cookies", async ({ request }) => {
    await claimAndAnchor(request);
    const { checkpoints } = (await (await request.get("/api/v1/ledger/checkpoints")).json()) as {
      checkpoints: Array<{ treeSize: number; rootHash: string }>;
    };
    const newest = checkpoints[0];
    if (!newest) throw new Error("no anchored checkpoint");
    const index = newest.treeSize - 1;
    const n = Math.floor(index / 256);
    const width = Math.min(256, newest.treeSize - n * 256);

    const leaf = (await (await request.get(`/api/v1/ledger/entries/${index}`)).json()) as {
      data: string;
      leafHash: string;
    };
    const hashes = await request.get(`/${formatTilePath({ level: 0, index: n, width })}`);
    expect(hashes.status()).toBe(200);
    const headers = hashes.headers();
    expect(headers["content-type"]).toBe("application/octet-stream");
    expect(headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(headers["access-control-allow-origin"]).toBe("*");
    expect(headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(headers["set-cookie"]).toBeUndefined();
    // A cache shares the answer: no one request's id in it.
    expect(headers["x-request-id"]).toBeUndefined();
    const tile = await hashes.body();
    expect(tile.length).toBe(width * 32);
    expect(`0x${tile.subarray((index % 256) * 32).toString("hex")}`).toBe(leaf.leafHash);

    const bundle = await request.get(`/${formatTilePath({ level: "entries", index: n, width })}`);
    const entries = decodeEntryBundle(await bundle.body());
    expect(entries).toHaveLength(width);
    expect(`0x${Buffer.from(entries[index % 256] ?? []).toString("hex")}`).toBe(leaf.data);

    // Far past anything this suite anchors: the stack keeps anchoring while the spec runs, so
    // the tile just past the size read above may exist by the time it is asked for.
    const past = formatTilePath({ level: 0, index: n + 1_000_000, width: 1 });
    const busted = `/${formatTilePath({ level: 0, index: n, width })}?r=1`;
    for (const path of ["/tile/0/x000/000", `/${past}`, "/tile/0/000.p/256", busted]) {
      const missing = await request.get(path);
      expect(missing.status(), path).toBe(404);
      expect(missing.headers()["cache-control"], path).toBe("no-store");
      expect(missing.headers()["set-cookie"], path).toBeUndefined();
      // Not cached: it keeps its id, for whoever reports it.
      expect(missing.headers()["x-request-id"], path).toMatch(/^[0-9a-f-]{36}$/);
      expect(await missing.text(), path).toMatch(/tile/);
    }

    const proof = await request.get(
      `/api/v1/ledger/proofs/inclusion?hash=${leaf.leafHash}&size=${newest.treeSize}`,
    );
    expect(await proof.json()).toMatchObject({ index, rootHash: newest.rootHash });
    const tooFar = await request.get(`/api/v1/ledger/proofs/consistency?from=1&to=${2 ** 40}`);
    expect(tooFar.status()).toBe(400);
    expect(((await tooFar.json()) as { error: { message: string } }).error.message).toMatch(
      /^to: the published log has \d+ leaves/,
    );
  });
});

test.describe("finding an entry", () => {
  test("a search finds a leaf by id, hash or transaction; its page decodes, proves and anchors it", async ({
    page,
    request,
  }) => {
    const name = `Ledger search ${Date.now().toString(36)}`;
    const claim = await claimOwnDrop(request, name);

    // Opened as soon as the leaf has an index: "not anchored yet" turns into its anchoring live.
    await page.goto(`/ledger/${claim.index}`);
    await expect(page.getByRole("heading", { name: `Leaf ${claim.index}` })).toBeVisible();
    await expect(page.getByTestId("entry-anchor")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("entry-kind")).toHaveText("Redemption");
    await expect(page.getByTestId("entry-drop")).toHaveText(`${name} drop`);
    await expect(page.getByTestId("entry-prize")).toHaveText(`${name} coin`);
    await expect(page.getByTestId("inclusion-check")).toHaveAttribute("data-ok", "true");
    await expect(page.getByTestId("inclusion-check")).toContainText("Checked in this browser");
    // Public: the leaf's commitment, never who claimed it; no receipt for a visitor.
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).not.toContain(claim.player.id);
    expect(text).not.toContain(claim.player.email);
    await expect(page.getByTestId("auditor-receipt")).toHaveCount(0);
    await shotBoth(page, "ledger-entry");

    // Read by the page: the API context's socket has been idle since the claim, and the server
    // may close an idle keep-alive socket just as it is reused.
    const entry = (await getJson(page, `/api/v1/ledger/entries/${claim.index}`)).body as {
      leafHash: string;
      entry: { entryId: string };
      anchor: { txHash: string; treeSize: number };
      inclusion: { auditPath: string[] };
      drop: { title: string };
    };
    expect(entry.entry.entryId).toBe(claim.redemptionId);
    expect(entry.drop.title).toBe(`${name} drop`);
    expect(entry.anchor.txHash).toMatch(TX_HASH);
    await expect(page.getByTestId("entry-leaf-hash")).toContainText(entry.leafHash.slice(0, 8));
    expect((await getJson(page, "/api/v1/ledger/entries/x1")).status).toBe(400);
    const missing = await getJson(page, "/api/v1/ledger/entries/900000000");
    expect(missing.status).toBe(404);
    expect((missing.body as { error: { message: string } }).error.message).toBe(
      "The log has no leaf 900000000 yet",
    );

    // The list names the leaf's drop and prize too.
    await page.goto(`/ledger?page=${Math.floor(claim.index / 100) + 1}`);
    const row = page.locator(`#leaf-${claim.index}`);
    await expect(row.getByTestId("leaf-drop")).toHaveText(`${name} drop`);
    await expect(row.getByTestId("leaf-prize")).toHaveText(`${name} coin`);

    // One box: a redemption id, a leaf hash, a transaction hash; each result has its URL.
    await page.goto("/ledger");
    await search(page, claim.redemptionId);
    const results = page.getByTestId("ledger-search-results");
    await expect(results.getByTestId("leaf-row")).toHaveCount(1);
    await expect(results.getByTestId("leaf-drop")).toHaveText(`${name} drop`);
    await expect(results.getByTestId("leaf-prize")).toHaveText(`${name} coin`);
    await shotBoth(page, "ledger-search-id");
    await search(page, entry.leafHash);
    await expect(results.getByTestId("leaf-row").first()).toContainText(String(claim.index));
    await search(page, entry.anchor.txHash);
    await expect(results.getByTestId("ledger-transaction")).toBeVisible();
    await expect(
      results.getByTestId("ledger-transaction").getByRole("link", { name: `Leaf ${claim.index}` }),
    ).toBeVisible();
    await shotBoth(page, "ledger-search-transaction");
    await results
      .getByTestId("ledger-transaction")
      .getByRole("link", { name: `Leaf ${claim.index}` })
      .click();
    await expect(page).toHaveURL(new RegExp(`/ledger/${claim.index}$`));

    // Malformed input is explained; a well-formed miss says nothing was found.
    await page.goto("/ledger");
    await search(page, "0xabc");
    await expect(page.getByTestId("ledger-search-error")).toHaveText(
      /A hash has 64 hex digits after 0x; this one has 3\./,
    );
    await expect(page.getByLabel("Find an entry")).toHaveValue("0xabc");
    await shotBoth(page, "ledger-search-error");
    await search(page, "900000000");
    await expect(page.getByTestId("ledger-nothing-found")).toContainText(
      "Nothing found for 900000000",
    );
  });

  test("the search works without JavaScript", async ({ browser, request }) => {
    const claim = await claimOwnDrop(request, `Ledger nojs ${Date.now().toString(36)}`);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/ledger");
    await page.getByLabel("Find an entry").fill(claim.redemptionId);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect(page).toHaveURL(/\/ledger\/search\?q=/);
    await expect(
      page.getByTestId("ledger-search-results").getByRole("link", { name: `Leaf ${claim.index}` }),
    ).toBeVisible();
    await context.close();
  });

  test("an auditor downloads the player's receipt from the entry page", async ({
    page,
    request,
  }) => {
    const claim = await claimOwnDrop(request, `Ledger receipt ${Date.now().toString(36)}`);
    await signIn(page, AUDITOR_EMAIL);
    await page.goto(`/ledger/${claim.index}`);
    const link = page.getByTestId("auditor-download-receipt");
    await expect(link).toHaveText("Download the claim receipt (JSON)");
    await shotBoth(page, "ledger-entry-auditor");
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const receipt = JSON.parse(await readFile(await download.path(), "utf8")) as {
      leaf: { index: number | null; playerId: string };
    };
    expect(receipt.leaf.index).toBe(claim.index);
    expect(receipt.leaf.playerId).toBe(claim.player.id);
    // The verifier loads it for the auditor too (with its delivery receipt, if there is one
    // yet), and the claim's entry checks out against the chain.
    await page.getByTestId("auditor-verify-receipt").click();
    await expect(page.getByTestId("receipt-input")).toHaveValue(new RegExp(claim.player.id));
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expect(page.getByTestId("verdict")).toBeVisible();
    const claimStep = (id: string) => page.locator(`[data-testid$="step-${id}"]`).first();
    for (const id of ["leaf", "inclusion", "checkpoint"]) {
      await expect(claimStep(id)).toHaveAttribute("data-state", "passed");
    }
    // Read-only: the receipt route has nothing else for an auditor to call.
    const post = await page.request.post(`/api/v1/redemptions/${claim.redemptionId}/receipt`);
    expect(post.status()).toBe(405);
  });
});
