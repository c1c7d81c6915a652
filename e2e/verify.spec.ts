import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { JsonRpcProvider, Wallet } from "ethers";
import { fromHex } from "../lib/ledger/merkle";
import type { PendingReceipt, AnchoredReceipt as Receipt } from "../lib/redemptions/model";
import { formatCheckpoint } from "../lib/tlog/checkpoint";
import { formatNote } from "../lib/tlog/note";
import { cosign, generateSignerKey, parseSignerKey, signNote } from "../lib/tlog/sign";
import { DEV_RECEIPT_KEY } from "../scripts/lib/embedded-chain";
import {
  ATTACKER_KEY,
  anchorFirstCheckpoint,
  deployLookAlikeLedger,
  numberedLeaf,
  signedProvisionalBatch,
  signedProvisionalReceipt,
} from "../test/receipts";
import { BASE_URL, CHAIN_RPC_URL } from "./constants";
import {
  apiToken,
  awaitWitnessedReceipt,
  createPlayer,
  findOpenDrop,
  GIFT_CARD_CODE,
  LAUNCH_DROP,
  shot,
  signIn,
  TX_HASH,
} from "./helpers";

const STEPS = [
  "format",
  "identity",
  "leaf",
  "inclusion",
  "chain",
  "checkpoint",
  "logSignature",
  "witnesses",
  "transaction",
  "blockTime",
] as const;
type StepId = (typeof STEPS)[number];

const PROVISIONAL_STEPS = ["format", "identity", "leaf", "signature", "signer", "deadline"];
const PROVISIONAL_VERIFIED =
  "Provisional receipt verified: a signed promise to anchor this entry by its deadline";

type Claim = { email: string; password: string; token: string; redemptionId: string };
type Claimant = Claim & { receipt: Receipt };

/** A fresh player (signed up through the API) claims a unit of the drop with a bearer token. */
async function claimThroughApi(request: APIRequestContext, dropId: string): Promise<Claim> {
  const player = await createPlayer(request, "verify");
  const token = await apiToken(request, player.email, player.password);
  const headers = { authorization: `Bearer ${token}` };
  const res = await request.post(`/api/v1/drops/${dropId}/claims`, { headers });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { redemption: { id: string; code: string } };
  expect(body.redemption.code).toMatch(GIFT_CARD_CODE);
  return {
    email: player.email,
    password: player.password,
    token,
    redemptionId: body.redemption.id,
  };
}

/**
 * Polls the receipt API (as the owner) until the entry's checkpoint is anchored on chain and
 * cosigned by the site's witnesses (verified below with the site's quorum).
 */
function anchoredReceipt(
  request: APIRequestContext,
  claimant: Claim,
  kind: "redemption" | "delivery" = "redemption",
): Promise<Receipt> {
  return awaitWitnessedReceipt<Receipt>(
    request,
    `/api/v1/redemptions/${claimant.redemptionId}/receipt?kind=${kind}`,
    { authorization: `Bearer ${claimant.token}` },
  );
}

/** Changes one hex digit of a 0x string (the last one unless told otherwise). */
function flipHexDigit(hex: string, position = hex.length - 1): string {
  const digit = Number.parseInt(hex[position] ?? "0", 16);
  return hex.slice(0, position) + ((digit + 1) % 16).toString(16) + hex.slice(position + 1);
}

function clone(receipt: Receipt): Receipt {
  return structuredClone(receipt);
}

async function verifyText(page: Page, text: string): Promise<void> {
  await page.goto("/verify");
  await expect(page.getByTestId("rpc-url")).toHaveValue("");
  await expect(page.getByTestId("rpc-default")).toContainText(CHAIN_RPC_URL);
  await page.getByTestId("receipt-input").fill(text);
  await page.getByRole("button", { name: "Verify receipt" }).click();
  await expect(page.getByTestId("verdict")).toBeVisible();
}

const PHONE = { width: 390, height: 844 };
const VIEWPORTS = [
  ["desktop", { width: 1280, height: 800 }],
  ["phone", PHONE],
] as const;

async function expectVerified(page: Page): Promise<void> {
  await expect(page.getByTestId("verdict")).toContainText("Verified");
  await expect(page.getByTestId("verdict")).toHaveAttribute("data-ok", "true");
  for (const id of STEPS) {
    const step = page.getByTestId(`step-${id}`);
    await expect(step, id).toHaveAttribute("data-ok", "true");
    await expect(step, id).toContainText("passed");
  }
}

/** The verdict fails, and exactly the named checks fail: every other check still passes. */
async function expectFailed(page: Page, failing: StepId[]): Promise<void> {
  await expect(page.getByTestId("verdict")).toHaveText("Verification failed");
  await expect(page.getByTestId("verdict")).toHaveAttribute("data-ok", "false");
  await expect(page.getByTestId("steps").locator("li")).toHaveCount(STEPS.length);
  for (const id of STEPS) {
    const fails = failing.includes(id);
    const step = page.getByTestId(`step-${id}`);
    await expect(step, id).toHaveAttribute("data-ok", String(!fails));
    await expect(step, id).toContainText(fails ? "failed" : "passed");
  }
}

test.describe("receipt verification", () => {
  let owner: Claimant;

  test.beforeAll(async ({ playwright }) => {
    const request = await playwright.request.newContext({ baseURL: BASE_URL });
    try {
      const drop = await findOpenDrop(request, LAUNCH_DROP);
      expect(drop?.status).toBe("live");
      // Two claims, so that the later one sits in a tree of two or more leaves and its
      // inclusion proof has at least one element to tamper with.
      const claims = [
        await claimThroughApi(request, drop?.id ?? ""),
        await claimThroughApi(request, drop?.id ?? ""),
      ];
      const [first, second] = await Promise.all(
        claims.map(async (claim) => ({ ...claim, receipt: await anchoredReceipt(request, claim) })),
      );
      if (!first || !second) throw new Error("two claims expected");
      owner = second.receipt.inclusionProof.length > 0 ? second : first;
      expect(owner.receipt.inclusionProof.length).toBeGreaterThan(0);
      expect(owner.receipt.anchor.txHash).toMatch(TX_HASH);
    } finally {
      await request.dispose();
    }
  });

  test("an anchored receipt verifies in the browser, pasted or uploaded", async ({ page }) => {
    const json = JSON.stringify(owner.receipt, null, 2);

    await verifyText(page, json);
    await expectVerified(page);
    await shot(page, "verify-01-pasted-verified");

    await page.goto("/verify");
    await expect(page.getByTestId("receipt-input")).toHaveValue("");
    await page.getByTestId("receipt-file").setInputFiles({
      name: `receipt-${owner.redemptionId}.json`,
      mimeType: "application/json",
      buffer: Buffer.from(json),
    });
    await expect(page.getByTestId("receipt-input")).toHaveValue(json);
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expectVerified(page);
    await shot(page, "verify-02-uploaded-verified");
  });

  const tamperings: Array<{ name: string; failing: StepId[]; tamper: (r: Receipt) => void }> = [
    {
      // The last bytes of the leaf are the player commitment: the entry no longer commits to the
      // player, and its hash is no longer the one in the tree.
      name: "leaf.data",
      failing: ["leaf", "inclusion"],
      tamper: (r) => {
        r.leaf.data = flipHexDigit(r.leaf.data);
      },
    },
    {
      name: "inclusionProof[0]",
      // The receipt's tlog-proof still holds the original proof, and must agree with the fields.
      failing: ["inclusion", "logSignature"],
      tamper: (r) => {
        r.inclusionProof[0] = flipHexDigit(r.inclusionProof[0] ?? "");
      },
    },
    {
      name: "checkpoint.rootHash",
      // The contract holds another root, and no anchoring event names this one; the log and its
      // witnesses signed the original root.
      failing: ["inclusion", "checkpoint", "transaction", "logSignature", "witnesses"],
      tamper: (r) => {
        r.checkpoint.rootHash = flipHexDigit(r.checkpoint.rootHash);
      },
    },
    {
      name: "anchor.txHash",
      failing: ["transaction"],
      tamper: (r) => {
        r.anchor.txHash = flipHexDigit(r.anchor.txHash);
      },
    },
    {
      name: "anchor.blockTime",
      failing: ["blockTime"],
      tamper: (r) => {
        r.anchor.blockTime += 1;
      },
    },
  ];

  for (const { name, failing, tamper } of tamperings) {
    test(`a receipt with a changed ${name} fails exactly: ${failing.join(", ")}`, async ({
      page,
    }) => {
      const tampered = clone(owner.receipt);
      tamper(tampered);
      expect(tampered).not.toEqual(owner.receipt);
      await verifyText(page, JSON.stringify(tampered, null, 2));
      await expectFailed(page, failing);
      await shot(
        page,
        `verify-03-tampered-${name.replaceAll(/[^a-zA-Z]+/g, "-").replace(/-$/, "")}`,
      );
    });
  }

  test("the owner's /verify?redemption= link pre-fills the claim and delivery receipts", async ({
    page,
    request,
  }) => {
    // The card is delivered by the gift-card provider: its outcome is the chain's second link.
    const deliveryReceipt = await anchoredReceipt(request, owner, "delivery");
    await signIn(page, owner.email, owner.password);
    await page.goto(`/verify?redemption=${owner.redemptionId}`);
    const input = page.getByTestId("receipt-input");
    await expect(input).not.toHaveValue("");
    expect(JSON.parse(await input.inputValue())).toEqual({
      version: 1,
      type: "prizeledger/receipt-chain",
      claim: owner.receipt,
      delivery: deliveryReceipt,
    });
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expect(page.getByTestId("verdict")).toHaveText(
      "Verified: this redemption was claimed, then delivered",
    );
    for (const link of ["claim", "delivery"]) {
      for (const id of STEPS) {
        await expect(page.getByTestId(`${link}-step-${id}`), `${link} ${id}`).toHaveAttribute(
          "data-ok",
          "true",
        );
      }
    }
    await shot(page, "verify-04-prefilled-verified");
  });

  test("the public ledger lists the anchored checkpoints", async ({ page }) => {
    await page.goto("/ledger");
    await expect(page.getByRole("heading", { name: "Public ledger" })).toBeVisible();
    const rows = page.getByTestId("checkpoint-row");
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    const sizes = (await rows.locator("td:first-child").allTextContents()).map(Number);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(owner.receipt.checkpoint.treeSize);
    await shot(page, "verify-05-ledger");
  });

  test("the provisional receipt given at claim time verifies as a signed promise", async ({
    page,
    request,
  }) => {
    const drop = await findOpenDrop(request, LAUNCH_DROP);
    const player = await createPlayer(request, "provisional");
    const token = await apiToken(request, player.email, player.password);
    const res = await request.post(`/api/v1/drops/${drop?.id}/claims`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status(), await res.text()).toBe(201);
    const { receipt } = (await res.json()) as {
      receipt: {
        status: string;
        promise: { signer: string; anchorBy: number; batch: { size: number } };
      };
    };
    expect(receipt.status).toBe("pending");
    expect(receipt.promise.signer).toMatch(/^0x[0-9a-fA-F]{40}$/);
    // Every promise is signed as part of a batch now, if only a batch of one.
    expect(receipt.promise.batch.size).toBeGreaterThanOrEqual(1);

    await page.goto("/verify");
    await page.getByTestId("receipt-input").fill(JSON.stringify(receipt, null, 2));
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expect(page.getByTestId("verdict")).toHaveText(PROVISIONAL_VERIFIED);
    for (const step of ["format", "leaf", "signature", "signer", "deadline"]) {
      await expect(page.getByTestId(`step-${step}`)).toHaveAttribute("data-ok", "true");
    }
    await shot(page, "verify-06-provisional");

    const forged = {
      ...receipt,
      promise: { ...receipt.promise, anchorBy: receipt.promise.anchorBy + 1 },
    };
    await page.getByTestId("receipt-input").fill(JSON.stringify(forged, null, 2));
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expect(page.getByTestId("verdict")).toHaveText("Verification failed");
    await expect(page.getByTestId("step-signature")).toHaveAttribute("data-ok", "false");
  });

  test("provisional receipts signed together in a batch verify, each on its own", async ({
    page,
    request,
  }) => {
    const drop = await findOpenDrop(request, LAUNCH_DROP);
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) {
      const player = await createPlayer(request, "batch");
      tokens.push(await apiToken(request, player.email, player.password));
    }
    // Claims answered together are signed together; how many share a batch is up to timing.
    const issued = await Promise.all(
      tokens.map(async (token) => {
        const res = await request.post(`/api/v1/drops/${drop?.id}/claims`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status(), await res.text()).toBe(201);
        return ((await res.json()) as { receipt: PendingReceipt }).receipt;
      }),
    );
    const sizeOf = (r: PendingReceipt) => r.promise?.batch?.size ?? 0;
    const widest = issued.reduce((a, b) => (sizeOf(b) > sizeOf(a) ? b : a));
    expect(sizeOf(widest)).toBeGreaterThanOrEqual(1);

    // So that a receipt deep inside a batch is checked whatever that timing: three promises
    // signed as this site's API signs a batch, with its own receipt key and ledger.
    const site = (await (await request.get("/.well-known/prizeledger.json")).json()) as {
      chainId: number;
      contract: string;
      receiptSigners: string[];
    };
    expect(site.receiptSigners).toEqual([new Wallet(DEV_RECEIPT_KEY).address]);
    const deadline = Math.floor(Date.now() / 1000) + 3600;
    const batch = await signedProvisionalBatch(
      DEV_RECEIPT_KEY,
      site.chainId,
      site.contract,
      [0, 1, 2].map((n) => ({ leaf: numberedLeaf(n), anchorBy: deadline + n })),
    );
    const [first, middle] = batch as [PendingReceipt, PendingReceipt];
    expect(middle.promise?.batch).toMatchObject({ size: 3, index: 1 });
    expect(middle.promise?.batch?.path).toHaveLength(2);

    for (const [size, viewport] of VIEWPORTS) {
      await page.setViewportSize(viewport);
      for (const [name, receipt] of [
        ["issued", widest],
        ["batch-of-3", middle],
      ] as const) {
        const place = receipt.promise?.batch;
        await verifyText(page, JSON.stringify(receipt, null, 2));
        await expect(page.getByTestId("verdict")).toHaveText(PROVISIONAL_VERIFIED);
        for (const id of PROVISIONAL_STEPS) {
          await expect(page.getByTestId(`step-${id}`), id).toHaveAttribute("data-ok", "true");
        }
        await expect(page.getByTestId("step-signature")).toContainText(
          `over the root of a batch of ${place?.size} (this receipt at place ${place?.index})`,
        );
        await shot(page, `verify-12-batch-${name}-${size}`);
      }
    }

    // The first receipt's path does not lead from the middle one's leaf to the signed root.
    const borrowed = structuredClone(middle);
    if (borrowed.promise?.batch && first.promise?.batch) {
      borrowed.promise.batch.path = first.promise.batch.path;
    }
    await verifyText(page, JSON.stringify(borrowed, null, 2));
    await expect(page.getByTestId("verdict")).toHaveText("Verification failed");
    await expect(page.getByTestId("step-signature")).toHaveAttribute("data-ok", "false");
    await expect(page.getByTestId("step-signature")).toContainText(
      "The signature does not match this receipt, its batch path and signer (batch of 3).",
    );
    await shot(page, "verify-12-batch-borrowed-path-phone");
  });

  test("this site publishes its ledger identity, and /verify shows and trusts it", async ({
    page,
    request,
  }) => {
    const res = await request.get("/.well-known/prizeledger.json");
    expect(res.status()).toBe(200);
    expect(res.headers()["access-control-allow-origin"]).toBe("*");
    // Publicly cacheable, so it must carry no device cookie a shared cache would hand to everyone.
    expect(res.headers()["cache-control"]).toContain("public");
    expect(res.headers()["set-cookie"]).toBeUndefined();
    const identity = (await res.json()) as {
      chainId: number;
      contract: string;
      deploymentBlock: number;
      receiptSigners: string[];
      rpcUrl: string;
    };
    expect(identity.chainId).toBe(owner.receipt.anchor.chainId);
    expect(identity.contract.toLowerCase()).toBe(owner.receipt.anchor.contract.toLowerCase());
    expect(identity.deploymentBlock).toBeGreaterThanOrEqual(0);
    expect(identity.deploymentBlock).toBeLessThan(owner.receipt.anchor.blockNumber);
    expect(identity.receiptSigners).toHaveLength(1);
    expect(identity.rpcUrl).toBe(CHAIN_RPC_URL);

    await page.goto("/verify");
    await expect(page.getByTestId("identity-contract")).toHaveText(identity.contract);
    await expect(page.getByTestId("identity-chain-id")).toHaveText(String(identity.chainId));
    await expect(page.getByTestId("identity-signers")).toHaveText(
      identity.receiptSigners.join(", "),
    );
    await expect(page.getByTestId("trust-site")).toBeChecked();
    await page.getByTestId("receipt-input").fill(JSON.stringify(owner.receipt, null, 2));
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expectVerified(page);
    await expect(page.getByTestId("trusted-identity")).toContainText(
      `this site: chain ${identity.chainId}, contract ${identity.contract}`,
    );
    await expect(page.getByTestId("trusted-node")).toHaveText(
      `Chain node asked: ${CHAIN_RPC_URL} (this site's)`,
    );
    await shot(page, "verify-07-identity-desktop");
    await page.setViewportSize(PHONE);
    await shot(page, "verify-07-identity-phone");
  });

  test("a receipt from a look-alike contract on the same chain fails as untrusted_contract", async ({
    page,
  }) => {
    // The attacker deploys their own ledger on this site's chain and anchors a made-up $10,000
    // prize over the real player commitment (player id and salt) of a genuine receipt.
    const provider = new JsonRpcProvider(CHAIN_RPC_URL, undefined, { staticNetwork: true });
    let forged: Receipt;
    let provisional: unknown;
    try {
      const lookAlike = await deployLookAlikeLedger(provider);
      const leaf = {
        playerId: owner.receipt.leaf.playerId,
        salt: fromHex(owner.receipt.leaf.salt),
        valueCents: 1_000_000,
        entryId: "0190f3a2-7b1c-7d4e-8f00-00000000dead",
      };
      [forged] = (await anchorFirstCheckpoint(lookAlike.attacker, provider, lookAlike.contract, [
        leaf,
      ])) as [Receipt];
      // Their signed promise naming this site's own contract: only the signer gives it away.
      provisional = await signedProvisionalReceipt(
        ATTACKER_KEY,
        owner.receipt.anchor.chainId,
        owner.receipt.anchor.contract,
        leaf,
        Math.floor(Date.now() / 1000) + 3600,
      );
    } finally {
      provider.destroy();
    }

    for (const [size, viewport] of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await verifyText(page, JSON.stringify(forged, null, 2));
      await expect(page.getByTestId("verdict")).toHaveText(
        "Verification failed: the receipt names another ledger contract (untrusted_contract)",
      );
      await expect(page.getByTestId("step-format")).toHaveAttribute("data-ok", "true");
      await expect(page.getByTestId("step-identity")).toHaveAttribute("data-ok", "false");
      await expect(page.getByTestId("step-identity")).toContainText(forged.anchor.contract);
      for (const id of STEPS.slice(2)) {
        await expect(page.getByTestId(`step-${id}`)).toHaveAttribute("data-state", "not_run");
        await expect(page.getByTestId(`step-${id}`)).toContainText("not run");
        await expect(page.getByTestId(`step-${id}`)).not.toContainText("failed");
      }
      await expect(page.getByTestId("trusted-identity")).toContainText("this site");
      await shot(page, `verify-08-look-alike-${size}`);
    }

    await page.setViewportSize({ width: 1280, height: 800 });
    await verifyText(page, JSON.stringify(provisional, null, 2));
    await expect(page.getByTestId("verdict")).toHaveText(
      "Verification failed: the receipt is signed by a key the ledger does not trust (untrusted_signer)",
    );
    await expect(page.getByTestId("step-identity")).toContainText(new Wallet(ATTACKER_KEY).address);
    await shot(page, "verify-09-forged-provisional");
  });

  test("a malformed receipt is explained field by field, and later checks are not run", async ({
    page,
  }) => {
    const broken = clone(owner.receipt) as unknown as Record<string, Record<string, unknown>>;
    (broken.leaf as Record<string, unknown>).index = "7";
    (broken.anchor as Record<string, unknown>).txHash = "0x12";
    delete broken.checkpoint;
    await verifyText(page, JSON.stringify(broken, null, 2));
    const format = page.getByTestId("step-format");
    await expect(format).toHaveAttribute("data-state", "failed");
    await expect(format).toContainText(
      "Not a version 1 anchored receipt. The leaf index must be a number. The checkpoint is missing. The anchoring transaction hash must be 0x and 64 hex digits.",
    );
    await expect(format).not.toContainText("Invalid input");
    for (const id of STEPS.slice(1)) {
      await expect(page.getByTestId(`step-${id}`)).toHaveAttribute("data-state", "not_run");
    }
    await shot(page, "verify-20-malformed");
    await page.setViewportSize(PHONE);
    await shot(page, "verify-20-malformed-phone");
  });

  test("a wrong chain node is explained: unreachable, not a node, other chain, no contract", async ({
    page,
  }) => {
    const chainStep = page.getByTestId("step-chain");
    const withNode = async (rpc: string, answered = page.getByTestId("verdict")) => {
      await page.goto("/verify");
      await page.getByTestId("receipt-input").fill(JSON.stringify(owner.receipt));
      await page.getByTestId("rpc-url").fill(rpc);
      await page.getByRole("button", { name: "Verify receipt" }).click();
      await expect(answered).toBeVisible();
    };
    // Nothing listens on port 1.
    await withNode("http://127.0.0.1:1");
    await expect(chainStep).toContainText(
      "The chain node could not be asked: nothing answered at that address",
    );
    await expect(page.getByTestId("step-checkpoint")).toContainText(
      "Not run: the chain node could not be reached.",
    );
    // This site answers, but it is no chain node.
    await withNode(`${BASE_URL}/api/health`);
    await expect(chainStep).toContainText(
      "the address answered, but not as an Ethereum JSON-RPC node",
    );
    await expect(page.getByTestId("step-checkpoint")).toContainText(
      "Not run: the address is not an Ethereum node.",
    );
    await shot(page, "verify-21-not-a-node");
    await page.setViewportSize(PHONE);
    await shot(page, "verify-21-not-a-node-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
    await withNode("ftp://127.0.0.1:8545", page.locator("p.alert.error"));
    await expect(page.locator("p.alert.error")).toHaveText(
      "The chain RPC URL must start with http:// or https://, not ftp://",
    );

    // A ledger pinned by hand on another chain id, or at an address with no contract: the
    // receipt is made to name the same, so that the checks reach the node.
    const pinned = async (chainId: number, contract: string) => {
      const receipt = clone(owner.receipt);
      receipt.anchor.chainId = chainId;
      receipt.anchor.contract = contract;
      await page.goto("/verify");
      await page.getByTestId("receipt-input").fill(JSON.stringify(receipt));
      await page.getByTestId("trust-contract").check();
      await page.getByTestId("pin-chain-id").fill(String(chainId));
      await page.getByTestId("pin-contract").fill(contract);
      await page.getByRole("button", { name: "Verify receipt" }).click();
      await expect(page.getByTestId("verdict")).toBeVisible();
    };
    await pinned(5, owner.receipt.anchor.contract);
    await expect(chainStep).toContainText(
      `The node is on chain ${owner.receipt.anchor.chainId}, the trusted ledger on chain 5: it is another network's node.`,
    );
    const nowhere = `0x${"12".repeat(20)}`;
    await pinned(owner.receipt.anchor.chainId, nowhere);
    await expect(chainStep).toHaveAttribute("data-state", "passed");
    await expect(page.getByTestId("step-checkpoint")).toContainText(
      `There is no contract at ${nowhere} on chain ${owner.receipt.anchor.chainId}: the node is on the right chain`,
    );
    await shot(page, "verify-22-no-contract");
  });

  test("without JavaScript the page says why the button does nothing", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/verify");
    await expect(page.getByRole("button", { name: "Verify receipt" })).toBeDisabled();
    await expect(page.getByTestId("verify-noscript")).toContainText("Verifying needs JavaScript");
    await shot(page, "verify-23-no-javascript");
    await page.setViewportSize(PHONE);
    await shot(page, "verify-23-no-javascript-phone");
    await context.close();
  });

  test("an auditor may trust another operator by its address, and the page says so", async ({
    page,
  }) => {
    await page.goto("/verify");
    await page.getByTestId("trust-operator").check();
    await page.getByTestId("operator-url").fill("http://localhost:1/");
    await page.getByTestId("receipt-input").fill(JSON.stringify(owner.receipt, null, 2));
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expect(page.locator("p.alert.error")).toContainText(
      "could not be read from http://localhost:1/.well-known/prizeledger.json",
    );
    await expect(page.getByTestId("verdict")).toHaveCount(0);

    // This very site, named as an operator would be: its published document is fetched.
    await page.getByTestId("operator-url").fill(BASE_URL);
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expectVerified(page);
    await expect(page.getByTestId("trusted-identity")).toContainText(
      `${BASE_URL}/.well-known/prizeledger.json: chain ${owner.receipt.anchor.chainId}`,
    );
    await shot(page, "verify-10-named-operator-desktop");

    // Or by chain id and contract: a receipt of this site then fails against another chain id.
    await page.setViewportSize(PHONE);
    await page.getByTestId("trust-contract").check();
    await page.getByTestId("pin-chain-id").fill("1");
    await page.getByTestId("pin-contract").fill(owner.receipt.anchor.contract);
    await page.getByRole("button", { name: "Verify receipt" }).click();
    await expect(page.getByTestId("verdict")).toHaveText(
      "Verification failed: the receipt names another chain (untrusted_chain)",
    );
    await expect(page.getByTestId("trusted-identity")).toContainText(
      "the chain id and contract you entered: chain 1",
    );
    await shot(page, "verify-10-named-contract-phone");
  });

  test("a receipt carrying cosignatures verifies against k of the operator's witnesses", async ({
    page,
  }) => {
    // An operator whose document pins a log key and three witnesses, with a quorum of two: this
    // site's ledger, served to this browser only. The receipt is this site's, its checkpoint
    // signed and cosigned (by two of the three) with those keys, as its worker would.
    const origin = "e2e-operator.example";
    const log = generateSignerKey(origin, 0x01);
    const witnesses = ["w1", "w2", "w3"].map((name) =>
      generateSignerKey(`${name}.e2e-operator.example`, 0x04),
    );
    const site = await (await page.request.get("/.well-known/prizeledger.json")).json();
    const operatorDocument = `${BASE_URL}/e2e-witnessed/prizeledger.json`;
    await page.route(operatorDocument, (route) =>
      route.fulfill({
        json: {
          ...site,
          log: { origin, key: log.vkey },
          witnesses: witnesses.map((w) => ({ key: w.vkey })),
          witnessQuorum: 2,
        },
      }),
    );
    const text = formatCheckpoint({
      origin,
      size: owner.receipt.checkpoint.treeSize,
      rootHash: fromHex(owner.receipt.checkpoint.rootHash),
    });
    const now = Math.floor(Date.now() / 1000);
    const [w1, w2] = witnesses.map((w) => parseSignerKey(w.skey));
    if (!w1 || !w2) throw new Error("witness keys expected");
    // Re-signed by that operator's keys, the receipt drops this site's tlog-proof (of its note).
    const { tlogProof: _proof, ...ownReceipt } = clone(owner.receipt);
    const witnessed: Receipt = {
      ...ownReceipt,
      signedCheckpoint: formatNote(text, [
        signNote(text, parseSignerKey(log.skey)),
        cosign(text, w1, now - 60),
        cosign(text, w2, now - 30),
      ]),
    };
    const { signedCheckpoint: _, ...unsigned } = ownReceipt;
    const w3 = parseSignerKey(witnesses[2]?.skey ?? "");
    const futureDated: Receipt = {
      ...witnessed,
      signedCheckpoint: `${witnessed.signedCheckpoint}${cosign(text, w3, now + 86_400)}`,
    };
    const verifyWith = async (receipt: Receipt, k: string) => {
      await page.getByTestId("receipt-input").fill(JSON.stringify(receipt, null, 2));
      await page.getByTestId("witness-quorum").fill(k);
      await page.getByRole("button", { name: "Verify receipt" }).click();
      await expect(page.getByTestId("verdict")).toBeVisible();
    };

    for (const [size, viewport] of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await page.goto("/verify");
      await page.getByTestId("trust-operator").check();
      await page.getByTestId("operator-url").fill(operatorDocument);
      // The operator's document is read only when verifying: the field is offered beforehand.
      await expect(page.getByTestId("witness-quorum")).toBeVisible();
      // Left empty: the document's quorum of two, which the two cosignatures meet.
      await verifyWith(witnessed, "");
      await expectVerified(page);
      await expect(page.getByTestId("step-logSignature")).toContainText(
        `The log ${origin} signed this checkpoint`,
      );
      await expect(page.getByTestId("step-witnesses")).toContainText(
        "2 trusted witnesses cosigned (w1.e2e-operator.example at",
      );
      await expect(page.getByTestId("trusted-identity")).toContainText(
        `log key ${log.vkey}, 2 of the 3 witnesses`,
      );
      await shot(page, `verify-12-witnessed-${size}`);

      // Three asked for: two cosigned, so only the witnesses step fails.
      await verifyWith(witnessed, "3");
      await expectFailed(page, ["witnesses"]);
      await expect(page.getByTestId("step-witnesses")).toContainText(
        "2 trusted witnesses cosigned",
      );
      await expect(page.getByTestId("step-witnesses")).toContainText("3 needed");
      // The usual cause with an honest operator: the file was taken before the witnesses cosigned.
      await expect(page.getByTestId("step-witnesses")).toContainText(
        "may have been downloaded before the witnesses cosigned its checkpoint: download it again",
      );
      await shot(page, `verify-12-quorum-not-met-${size}`);

      // A receipt from before signed checkpoints fails both new steps while witnesses are asked
      // for, and passes with k = 0.
      await verifyWith(unsigned, "2");
      await expectFailed(page, ["logSignature", "witnesses"]);
      await expect(page.getByTestId("step-logSignature")).toContainText(
        "verify with a quorum of 0",
      );
      // With k = 0 it is verified, but the log's signature shows as not checked, never passed.
      await verifyWith(unsigned, "0");
      await expect(page.getByTestId("verdict")).toHaveAttribute("data-ok", "true");
      const logSignature = page.getByTestId("step-logSignature");
      await expect(logSignature).toHaveAttribute("data-state", "not_checked");
      await expect(logSignature).toContainText("not checked");
      await expect(logSignature).toContainText("the pinned log key's signature is absent");
      await shot(page, `verify-12-unsigned-not-checked-${size}`);

      // A third witness dating its cosignature a day ahead is named, not counted: two still do.
      await verifyWith(futureDated, "2");
      await expectVerified(page);
      await expect(page.getByTestId("step-witnesses")).toContainText(
        "not counted, dated in the future: w3.e2e-operator.example",
      );

      await page.getByTestId("witness-quorum").fill("-1");
      await page.getByRole("button", { name: "Verify receipt" }).click();
      await expect(page.locator("p.alert.error")).toHaveText(
        "The number of witnesses must be a whole number from 0 to 16",
      );
    }
  });

  test("an operator's node is not asked once this site's ledger is trusted again", async ({
    page,
  }) => {
    // Another operator, served to this browser only. Its node could answer anything (a hostile
    // one would pass any forged receipt); this one relays to the real chain and counts its calls.
    const site = await (await page.request.get("/.well-known/prizeledger.json")).json();
    const operatorDocument = `${BASE_URL}/e2e-operator/prizeledger.json`;
    const operatorNode = `${BASE_URL}/e2e-operator/rpc`;
    let operatorNodeCalls = 0;
    await page.route(operatorDocument, (route) =>
      route.fulfill({ json: { ...site, rpcUrl: operatorNode } }),
    );
    await page.route(operatorNode, async (route) => {
      operatorNodeCalls++;
      await route.fulfill({ response: await route.fetch({ url: CHAIN_RPC_URL }) });
    });
    const verifyAgainst = async (choice: "operator" | "site" | "contract") => {
      await page.getByTestId(`trust-${choice}`).check();
      await page.getByRole("button", { name: "Verify receipt" }).click();
      await expectVerified(page);
    };

    for (const [size, viewport] of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await page.goto("/verify");
      await page.getByTestId("receipt-input").fill(JSON.stringify(owner.receipt, null, 2));
      await page.getByTestId("trust-operator").check();
      await page.getByTestId("operator-url").fill(operatorDocument);
      operatorNodeCalls = 0;
      await verifyAgainst("operator");
      await expect(page.getByTestId("trusted-node")).toHaveText(
        `Chain node asked: ${operatorNode} (the operator's)`,
      );
      expect(operatorNodeCalls).toBeGreaterThan(0);
      await expect(page.getByTestId("rpc-url")).toHaveValue("");
      await shot(page, `verify-11-operator-node-${size}`);

      operatorNodeCalls = 0;
      await verifyAgainst("site");
      await expect(page.getByTestId("trusted-identity")).toContainText(
        "Trusted ledger: this site:",
      );
      await expect(page.getByTestId("trusted-node")).toHaveText(
        `Chain node asked: ${CHAIN_RPC_URL} (this site's)`,
      );
      await shot(page, `verify-11-back-to-site-${size}`);

      await page.getByTestId("trust-contract").check();
      await page.getByTestId("pin-chain-id").fill(String(owner.receipt.anchor.chainId));
      await page.getByTestId("pin-contract").fill(owner.receipt.anchor.contract);
      await verifyAgainst("contract");
      await expect(page.getByTestId("trusted-node")).toHaveText(
        `Chain node asked: ${CHAIN_RPC_URL} (this site's)`,
      );
      expect(operatorNodeCalls).toBe(0);
    }
  });
});
