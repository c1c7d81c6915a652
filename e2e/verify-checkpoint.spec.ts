import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { fromHex } from "../lib/ledger/merkle";
import { encodeBase64 } from "../lib/tlog/base64";
import { createCryptoDrops } from "./crypto-drops";
import { apiToken, createPlayer, shot } from "./helpers";

/**
 * /verify's "The log's latest checkpoint": this site's signed checkpoint, as the worker signs it
 * and the stack's witnesses cosign it, verified in the browser with the same module as the
 * standalone verifier, and remembered per log in local storage for the next visit's consistency.
 * Its ledger entries are its own (claims of two drops of its own), so that there is a checkpoint
 * of two or more entries even when it runs alone; no other spec's data is consumed.
 */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const STEPS = ["logSignature", "witnesses", "consistency", "onChain"] as const;

type Identity = { log?: { origin: string }; witnesses?: unknown[]; witnessQuorum?: number };

let entryClaimed: Promise<void> | undefined;

/** A fresh player claims the one unit of two drops of this spec's own: two entries to anchor. */
async function claimOwnUnits(request: APIRequestContext): Promise<void> {
  const dropIds = await createCryptoDrops("checkpoint-verify", 2);
  const player = await createPlayer(request, "checkpoint-verify");
  const headers = {
    authorization: `Bearer ${await apiToken(request, player.email, player.password)}`,
  };
  for (const dropId of dropIds) {
    const res = await request.post(`/api/v1/drops/${dropId}/claims`, { headers });
    expect(res.status(), await res.text()).toBe(201);
  }
}

/**
 * The site's identity, and its latest signed checkpoint's size: waits for one with this spec's
 * entries, and for its cosignatures (the worker signs once the contract holds a checkpoint, then
 * collects them from witnesses).
 */
async function publishedLog(request: APIRequestContext) {
  entryClaimed ??= claimOwnUnits(request);
  await entryClaimed;
  const identity = (await (await request.get("/.well-known/prizeledger.json")).json()) as Identity;
  expect(identity.log, "the identity document names the signed log").toBeDefined();
  let note = "";
  await expect
    .poll(
      async () => {
        const res = await request.get("/checkpoint");
        note = await res.text();
        // Both own entries may be anchored one by one: wait for a checkpoint with two or more.
        if (res.status() !== 200 || Number(note.split("\n")[1]) < 2) return -1;
        // The log's own signature line, then one line per cosignature.
        return note.split("\n— ").length - 2;
      },
      { timeout: 60_000, intervals: [500, 1000, 2000] },
    )
    .toBeGreaterThanOrEqual(identity.witnessQuorum ?? 0);
  const size = Number(note.split("\n")[1]);
  return { identity, origin: identity.log?.origin ?? "", size };
}

/** A checkpoint "verified earlier" in this browser, as the page stores it: its note. */
function storedNote(origin: string, size: number, root: Uint8Array): string {
  // The signature is never re-checked when read back (it was when stored): any line will do.
  return `${origin}\n${size}\n${encodeBase64(root)}\n\n— stored.example AAAAAAA=\n`;
}

async function remember(page: Page, origin: string, note: string): Promise<void> {
  await page.evaluate(
    ([key, value]) => window.localStorage.setItem(key as string, value as string),
    [`prizeledger:verified-checkpoint:${origin}`, note],
  );
}

/** Presses Verify once the latest checkpoint has its cosignatures (a new one may have none yet). */
async function verifyCheckpoint(page: Page): Promise<void> {
  await publishedLog(page.request);
  await page.getByRole("button", { name: "Verify the latest checkpoint" }).click();
  await expect(page.getByTestId("checkpoint-verdict")).toBeVisible();
}

const step = (page: Page, id: (typeof STEPS)[number]) => page.getByTestId(`checkpoint-step-${id}`);

test.describe("/verify: the log's latest checkpoint", () => {
  for (const [size, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    test(`verifies this site's checkpoint, then checks the next visit against it (${size})`, async ({
      page,
      request,
    }) => {
      const { identity, origin, size: treeSize } = await publishedLog(request);
      await page.setViewportSize(viewport);
      await page.goto("/verify");
      await expect(
        page.getByRole("heading", { name: "The log's latest checkpoint" }),
      ).toBeVisible();
      await expect(page.getByTestId("checkpoint-source-site")).toBeChecked();
      await verifyCheckpoint(page);
      for (const id of STEPS) await expect(step(page, id)).toHaveAttribute("data-state", "passed");
      await expect(page.getByTestId("checkpoint-verdict")).toHaveAttribute("data-ok", "true");
      await expect(step(page, "logSignature")).toContainText(`log ${origin}`);
      const witnesses = identity.witnesses?.length ?? 0;
      await expect(step(page, "witnesses")).toContainText(
        `trusted witnesses cosigned (${identity.witnessQuorum ?? 0} required)`,
      );
      expect(witnesses).toBeGreaterThanOrEqual(identity.witnessQuorum ?? 0);
      await expect(step(page, "consistency")).toContainText("nothing to compare");
      await expect(page.getByTestId("checkpoint-remembered")).toContainText(
        `of ${origin}. Next time this browser checks that the log extends it.`,
      );
      await shot(page, `verify-checkpoint-01-verified-${size}`);

      // The next visit: the remembered checkpoint is what the new one must extend.
      await page.reload();
      await verifyCheckpoint(page);
      await expect(step(page, "consistency")).toHaveAttribute("data-state", "passed");
      await expect(step(page, "consistency")).toContainText(
        /Same size \(\d+\) and root as the checkpoint verified earlier|extends the one of \d+ verified earlier/,
      );

      // One verified at a smaller size: the log's own proof, checked here, shows it extends it.
      const proof = await request.get(`/api/v1/ledger/proofs/consistency?from=${treeSize - 1}`);
      const { fromRoot } = (await proof.json()) as { fromRoot: string };
      await remember(page, origin, storedNote(origin, treeSize - 1, fromHex(fromRoot)));
      await page.reload();
      await verifyCheckpoint(page);
      await expect(step(page, "consistency")).toContainText(
        `extends the one of ${treeSize - 1} verified earlier`,
      );
      await expect(step(page, "consistency")).toHaveAttribute("data-state", "passed");
      await shot(page, `verify-checkpoint-01-extends-${size}`);
    });
  }

  test("fails a rollback and a fork against what this browser verified, at both sizes", async ({
    page,
    request,
  }) => {
    const { origin, size: treeSize } = await publishedLog(request);
    await page.goto("/verify");
    // Verified earlier here: a bigger tree than the log now shows.
    await remember(page, origin, storedNote(origin, treeSize + 1000, new Uint8Array(32).fill(7)));
    await page.reload();
    await verifyCheckpoint(page);
    await expect(step(page, "consistency")).toHaveAttribute("data-state", "failed");
    await expect(step(page, "consistency")).toContainText(
      `Rollback: this checkpoint has ${treeSize} entries, one verified earlier had ${treeSize + 1000}.`,
    );
    await expect(page.getByTestId("checkpoint-verdict")).toHaveText(
      "Checkpoint verification failed",
    );
    await expect(page.getByTestId("checkpoint-remembered")).toHaveCount(0);
    // A failed check keeps what was remembered: the rollback is caught again next time.
    const kept = await page.evaluate(
      (key) => window.localStorage.getItem(key),
      `prizeledger:verified-checkpoint:${origin}`,
    );
    expect(kept).toContain(`\n${treeSize + 1000}\n`);
    await shot(page, "verify-checkpoint-02-rollback-desktop");
    await page.setViewportSize(PHONE);
    await shot(page, "verify-checkpoint-02-rollback-phone");

    await remember(page, origin, storedNote(origin, treeSize, new Uint8Array(32).fill(9)));
    await page.reload();
    await verifyCheckpoint(page);
    await expect(step(page, "consistency")).toContainText(
      `Fork: the log signed two roots for size ${treeSize}`,
    );
  });

  test("refuses a quorum above the witnesses listed, in words", async ({ page, request }) => {
    const { identity } = await publishedLog(request);
    const listed = identity.witnesses?.length ?? 0;
    test.skip(listed === 0, "this site lists no witnesses, so it offers no quorum to set");
    await page.goto("/verify");
    await page.getByLabel(/Witnesses required/).fill(String(listed + 1));
    await page.getByRole("button", { name: "Verify the latest checkpoint" }).click();
    await expect(page.getByTestId("checkpoint-error")).toHaveText(
      `${listed + 1} witnesses required, but the document lists ${listed}`,
    );
    await page.getByLabel(/Witnesses required/).fill("x");
    await page.getByRole("button", { name: "Verify the latest checkpoint" }).click();
    await expect(page.getByTestId("checkpoint-error")).toHaveText(
      "The number of witnesses required must be a whole number",
    );
    await shot(page, "verify-checkpoint-03-bad-quorum-desktop");
    await page.setViewportSize(PHONE);
    await shot(page, "verify-checkpoint-03-bad-quorum-phone");
  });

  test("says what is missing about another operator before asking anyone, at both sizes", async ({
    page,
  }) => {
    await page.goto("/verify");
    await page.getByTestId("checkpoint-source-operator").check();
    const verify = page.getByRole("button", { name: "Verify the latest checkpoint" });
    await verify.click();
    await expect(page.getByTestId("checkpoint-error")).toHaveText(
      "Enter the operator's address first",
    );
    await page
      .getByLabel("Operator's address or ledger identity URL (for its checkpoint)")
      .fill("http://operator.example");
    await verify.click();
    await expect(page.getByTestId("checkpoint-error")).toHaveText(
      "The operator URL must be https (or http on this machine): http://operator.example",
    );
    await expect(page.getByTestId("checkpoint-verdict")).toHaveCount(0);
    await shot(page, "verify-checkpoint-04-operator-desktop");
    await page.setViewportSize(PHONE);
    await shot(page, "verify-checkpoint-04-operator-phone");
  });
});
