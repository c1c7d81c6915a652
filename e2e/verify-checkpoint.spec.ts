import fs from "node:fs";
import path from "node:path";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { fromHex } from "../lib/ledger/merkle";
import { formatCheckpoint, parseCheckpoint } from "../lib/tlog/checkpoint";
import { formatNote } from "../lib/tlog/note";
import { parseSignerKey, signNote } from "../lib/tlog/sign";
import { E2E_DATA_DIR } from "./constants";
import { createCryptoDrops } from "./crypto-drops";
import { apiToken, createPlayer, shot } from "./helpers";

/**
 * /verify's "The log's latest checkpoint": this site's signed checkpoint, as the worker signs it
 * and the stack's witnesses cosign it, verified in the browser with the same module as the
 * standalone verifier, and remembered per log in local storage for the next visit's consistency.
 * Its ledger entries are its own (claims of two drops of its own), so that there is a checkpoint
 * of two or more entries even when it runs alone; no other spec's data is consumed.
 *
 * The worker may sign a newer, not yet cosigned checkpoint at any moment (other specs' entries
 * keep coming), so each test serves the page the one cosigned note it polled, for all of its
 * checks: what the page verifies is exactly what the expectations are derived from.
 */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const STEPS = ["logSignature", "witnesses", "consistency", "onChain"] as const;

type Identity = {
  log?: { origin: string; key: string };
  witnesses?: unknown[];
  witnessQuorum?: number;
};

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
 * The site's identity, and a signed checkpoint with this spec's entries and its cosignatures (the
 * worker signs once the contract holds a checkpoint, then collects them from witnesses): the
 * note, and its size, which every expectation of the test is derived from.
 */
async function publishedLog(request: APIRequestContext) {
  entryClaimed ??= claimOwnUnits(request);
  await entryClaimed;
  const identity = (await (await request.get("/.well-known/prizeledger.json")).json()) as Identity;
  if (!identity.log) throw new Error("the identity document names no signed log");
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
  const { size } = parseCheckpoint(note.slice(0, note.indexOf("\n\n") + 1));
  return { identity, origin: identity.log.origin, logKey: identity.log.key, note, size };
}

/** Where the page keeps the checkpoint it verified last for this log: by origin and key. */
const storageKey = (origin: string, logKey: string) =>
  `prizeledger:verified-checkpoint:${origin}:${logKey}`;

/**
 * A checkpoint of (size, root) signed with the e2e stack's own log key (kept in its data dir):
 * what the log would have had to sign for a rollback or a fork to be evidence.
 */
function signedByTheLog(size: number, root: Uint8Array): string {
  const key = parseSignerKey(
    fs.readFileSync(path.resolve(E2E_DATA_DIR, "log", "signing.key"), "utf8").trim(),
  );
  const text = formatCheckpoint({ origin: key.name, size, rootHash: root });
  return formatNote(text, [signNote(text, key)]);
}

/** A note with a line no trusted key made: what another "operator", or a planted entry, leaves. */
function unsignedNote(origin: string, size: number, root: Uint8Array): string {
  return formatNote(formatCheckpoint({ origin, size, rootHash: root }), [
    "— stored.example AAAAAAA=\n",
  ]);
}

async function remember(page: Page, key: string, note: string): Promise<void> {
  await page.evaluate(
    ([k, value]) => window.localStorage.setItem(k as string, value as string),
    [key, note],
  );
}

const stored = (page: Page, key: string) =>
  page.evaluate((k) => window.localStorage.getItem(k), key);

/** The page's /checkpoint answers `note` (the cosigned one the test polled), for every check. */
async function serveCheckpoint(page: Page, note: string): Promise<void> {
  await page.route("**/checkpoint", (route) =>
    route.fulfill({ status: 200, contentType: "text/plain; charset=utf-8", body: note }),
  );
}

/** Screenshots at desktop size (the page's), then at phone size, which the page is left at. */
async function shotBothSizes(page: Page, name: string): Promise<void> {
  await shot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await shot(page, `${name}-phone`);
}

/** The polled log, its storage key, and /verify open with that note served to it. */
async function openVerify(page: Page, request: APIRequestContext) {
  const log = await publishedLog(request);
  await serveCheckpoint(page, log.note);
  await page.goto("/verify");
  return { ...log, key: storageKey(log.origin, log.logKey) };
}

async function verifyCheckpoint(page: Page): Promise<void> {
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
      const { identity, origin, logKey, note, size: treeSize } = await publishedLog(request);
      const key = storageKey(origin, logKey);
      await serveCheckpoint(page, note);
      await page.setViewportSize(viewport);
      await page.goto("/verify");
      await expect(
        page.getByRole("heading", { name: "The log's latest checkpoint" }),
      ).toBeVisible();
      await expect(page.getByTestId("checkpoint-source-site")).toBeChecked();
      await expect(page.getByTestId("checkpoint-node-note")).toContainText(
        "what it says of the chain is the operator's word",
      );
      await expect(page.getByTestId("checkpoint-forget")).toHaveCount(0);
      await verifyCheckpoint(page);
      for (const id of STEPS) await expect(step(page, id)).toHaveAttribute("data-state", "passed");
      await expect(page.getByTestId("checkpoint-verdict")).toHaveAttribute("data-ok", "true");
      await expect(page.getByTestId("checkpoint-verdict")).toContainText(
        `checkpoint of ${treeSize} entries`,
      );
      await expect(page.getByTestId("checkpoint-node")).toContainText(
        /Chain node asked: .+ \(this site's\)/,
      );
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
      expect(await stored(page, key)).toBe(note);
      await shot(page, `verify-checkpoint-01-verified-${size}`);

      // The next visit: the remembered checkpoint is what the new one must extend.
      await page.reload();
      await verifyCheckpoint(page);
      await expect(step(page, "consistency")).toHaveAttribute("data-state", "passed");
      await expect(step(page, "consistency")).toContainText(
        `Same size (${treeSize}) and root as the checkpoint verified earlier`,
      );

      // One verified at a smaller size: the log's own proof, checked here, shows it extends it.
      const proof = await request.get(
        `/api/v1/ledger/proofs/consistency?from=${treeSize - 1}&to=${treeSize}`,
      );
      const { fromRoot } = (await proof.json()) as { fromRoot: string };
      await remember(page, key, signedByTheLog(treeSize - 1, fromHex(fromRoot)));
      await page.reload();
      await verifyCheckpoint(page);
      await expect(step(page, "consistency")).toContainText(
        `extends the one of ${treeSize - 1} verified earlier`,
      );
      await expect(step(page, "consistency")).toHaveAttribute("data-state", "passed");
      await shot(page, `verify-checkpoint-01-extends-${size}`);

      // Forgotten on request: the next check compares with nothing, then remembers afresh.
      await page.getByRole("button", { name: "Forget the remembered checkpoint" }).click();
      await expect(page.getByTestId("checkpoint-forgotten")).toBeVisible();
      await expect(page.getByTestId("checkpoint-forget")).toHaveCount(0);
      expect(await stored(page, key)).toBeNull();
      await shot(page, `verify-checkpoint-01-forgotten-${size}`);
      await verifyCheckpoint(page);
      await expect(step(page, "consistency")).toContainText("nothing to compare");
      expect(await stored(page, key)).toBe(note);
    });
  }

  test("ignores, says so and forgets a remembered checkpoint its log's key did not sign", async ({
    page,
    request,
  }) => {
    const { origin, note, size: treeSize, key } = await openVerify(page, request);
    // Planted (or left by another "operator" claiming this origin): it would read as a rollback.
    await remember(page, key, unsignedNote(origin, treeSize + 1000, new Uint8Array(32).fill(7)));
    // Another key's entry for the same origin is another log's: never read for this one.
    const otherKey = storageKey(origin, `${origin}+00000000+AAAA`);
    const others = unsignedNote(origin, treeSize + 5, new Uint8Array(32).fill(8));
    await remember(page, otherKey, others);
    await page.reload();
    await expect(page.getByTestId("checkpoint-forget")).toBeVisible();
    await verifyCheckpoint(page);
    await expect(page.getByTestId("checkpoint-ignored")).toContainText(
      "A remembered checkpoint that this log's key did not sign was ignored and forgotten",
    );
    await expect(step(page, "consistency")).toContainText("nothing to compare");
    await expect(page.getByTestId("checkpoint-verdict")).toHaveAttribute("data-ok", "true");
    // Replaced by the checkpoint that verified; the other key's entry is left alone.
    expect(await stored(page, key)).toBe(note);
    expect(await stored(page, otherKey)).toBe(others);
    await shotBothSizes(page, "verify-checkpoint-05-ignored");
  });

  test("fails a rollback and a fork the log signed against what this browser verified, at both sizes", async ({
    page,
    request,
  }) => {
    const { size: treeSize, key } = await openVerify(page, request);
    // Verified earlier here: a bigger tree than the log now shows, under the log's own signature.
    await remember(page, key, signedByTheLog(treeSize + 1000, new Uint8Array(32).fill(7)));
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
    await expect(page.getByTestId("checkpoint-ignored")).toHaveCount(0);
    // A failed check keeps what was remembered: the rollback is caught again next time.
    expect(await stored(page, key)).toContain(`\n${treeSize + 1000}\n`);
    await shotBothSizes(page, "verify-checkpoint-02-rollback");

    await remember(page, key, signedByTheLog(treeSize, new Uint8Array(32).fill(9)));
    await page.reload();
    await verifyCheckpoint(page);
    await expect(step(page, "consistency")).toContainText(
      `Fork: the log signed two roots for size ${treeSize}`,
    );
  });

  test("refuses a quorum above the witnesses listed, in words", async ({ page, request }) => {
    const { identity } = await publishedLog(request);
    const listed = identity.witnesses?.length ?? 0;
    // The e2e stack always runs its witnesses (scripts/lib/embedded-witnesses.ts): never skip.
    expect(listed, "the site lists its witnesses").toBeGreaterThan(0);
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
    await shotBothSizes(page, "verify-checkpoint-03-bad-quorum");
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
    await shotBothSizes(page, "verify-checkpoint-04-operator");
  });
});
