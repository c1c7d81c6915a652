import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { env } from "@/lib/config/env";
import { CHAIN_ID, DEV_RECEIPT_KEY } from "@/scripts/lib/embedded-chain";
import { responseProblem } from "@/test/api-contract";
import { connectTestChain } from "@/test/chain";
import { leafData, numberedLeaf } from "@/test/receipts";
import { inclusionRanges, toHex } from "./merkle";
import {
  type ProvisionalPromise,
  type ProvisionalReceipt,
  verifyProvisionalReceipt,
} from "./provisional";
import { signAnchoringPromise } from "./sign-receipt";

// What a web process has: env() reads it once, at the first signature. Given back after the file.
const CONFIG = [
  "RECEIPT_SIGNING_KEY",
  "LEDGER_CHAIN_ID",
  "LEDGER_RPC_URL",
  "LEDGER_CONTRACT",
] as const;
const savedConfig = CONFIG.map((name) => [name, process.env[name]] as const);

const chain = connectTestChain();
const CLAIMED_AT_MS = 1_800_000_000_000;

beforeAll(() => {
  process.env.RECEIPT_SIGNING_KEY = DEV_RECEIPT_KEY;
  process.env.LEDGER_CHAIN_ID = String(CHAIN_ID);
  process.env.LEDGER_RPC_URL = chain.rpcUrl;
  process.env.LEDGER_CONTRACT = chain.contractAddress;
});

afterAll(() => {
  vi.restoreAllMocks();
  for (const [name, value] of savedConfig) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** The pending leaf of the nth claim, as the claim route hands it to the signer. */
function pendingLeaf(n: number) {
  const leaf = numberedLeaf(n);
  return {
    index: null,
    data: toHex(leafData(leaf)),
    salt: toHex(leaf.salt),
    playerId: leaf.playerId,
  };
}

/** The nth claim's promise, its claim a second after the one before. */
function signNth(n: number): Promise<ProvisionalPromise | undefined> {
  return signAnchoringPromise(pendingLeaf(n), CLAIMED_AT_MS + n * 1000);
}

function receiptOf(n: number, promise: ProvisionalPromise | undefined): ProvisionalReceipt {
  if (!promise) throw new Error("no promise: the signing key is not configured");
  return { version: 1, status: "pending", leaf: pendingLeaf(n), promise };
}

async function failingSteps(receipt: ProvisionalReceipt): Promise<string[]> {
  const now = CLAIMED_AT_MS / 1000;
  const result = await verifyProvisionalReceipt(receipt, chain.provider, chain.trust, now);
  return result.steps.filter((s) => !s.ok).map((s) => s.id);
}

describe("signAnchoringPromise", () => {
  it("signs promises asked for together once, each with its own deadline and path", async () => {
    const signing = vi.spyOn(Wallet.prototype, "signMessage");
    signing.mockClear();
    const promises = await Promise.all(Array.from({ length: 7 }, (_, n) => signNth(n)));
    expect(signing).toHaveBeenCalledTimes(1);
    const deadline = env().ANCHOR_DEADLINE_SECONDS;
    for (const [n, promise] of promises.entries()) {
      expect(promise?.batch).toEqual({
        size: 7,
        index: n,
        path: expect.any(Array),
      });
      expect(promise?.batch?.path).toHaveLength(inclusionRanges(n, 7).length);
      expect(promise?.anchorBy).toBe(CLAIMED_AT_MS / 1000 + n + deadline);
      expect(promise?.signature).toBe(promises[0]?.signature);
      expect(promise?.signer).toBe(new Wallet(DEV_RECEIPT_KEY).address);
      expect(await failingSteps(receiptOf(n, promise))).toEqual([]);
    }
  });

  it("signs a promise asked for alone as a batch of one", async () => {
    const first = await signNth(0);
    const second = await signNth(1);
    expect(first?.batch).toEqual({ size: 1, index: 0, path: [] });
    expect(second?.batch).toEqual({ size: 1, index: 0, path: [] });
    expect(second?.signature).not.toBe(first?.signature);
    expect(await failingSteps(receiptOf(0, first))).toEqual([]);
    expect(await failingSteps(receiptOf(1, second))).toEqual([]);
  });

  it("splits a crowd into batches of at most 1,024", async () => {
    const signing = vi.spyOn(Wallet.prototype, "signMessage");
    signing.mockClear();
    const promises = await Promise.all(Array.from({ length: 1500 }, (_, n) => signNth(n)));
    expect(signing).toHaveBeenCalledTimes(2);
    expect(promises.map((p) => p?.batch?.size)).toEqual([
      ...Array(1024).fill(1024),
      ...Array(476).fill(476),
    ]);
    expect(promises.map((p) => p?.batch?.index)).toEqual([
      ...Array.from({ length: 1024 }, (_, i) => i),
      ...Array.from({ length: 476 }, (_, i) => i),
    ]);
    for (const n of [0, 1023, 1024, 1499]) {
      expect(await failingSteps(receiptOf(n, promises[n])), String(n)).toEqual([]);
    }
  });

  it("rejects the callers of a batch whose signing fails, and only them", async () => {
    const signing = vi.spyOn(Wallet.prototype, "signMessage");
    // The first batch to sign is the full one, at its 1,024th promise; the rest sign after.
    signing.mockRejectedValueOnce(new Error("the signing key is unavailable"));
    const results = await Promise.allSettled(Array.from({ length: 1027 }, (_, n) => signNth(n)));
    const rejected = results.slice(0, 1024);
    expect(rejected.every((r) => r.status === "rejected")).toBe(true);
    expect((rejected[0] as PromiseRejectedResult).reason).toEqual(
      new Error("the signing key is unavailable"),
    );
    const signed = results.slice(1024).map((r) => (r.status === "fulfilled" ? r.value : undefined));
    expect(signed.map((p) => p?.batch?.index)).toEqual([0, 1, 2]);
    for (const [i, promise] of signed.entries()) {
      expect(await failingSteps(receiptOf(1024 + i, promise))).toEqual([]);
    }
  });

  it("rejects a malformed request alone, not the batch it was asked for with", async () => {
    const results = await Promise.allSettled([
      signNth(0),
      signAnchoringPromise(pendingLeaf(1), Number.NaN),
      signAnchoringPromise({ ...pendingLeaf(2), data: "0xzz" }, CLAIMED_AT_MS),
      signNth(3),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    const [first, , , fourth] = results.map((r) =>
      r.status === "fulfilled" ? r.value : undefined,
    );
    expect(first?.batch).toMatchObject({ size: 2, index: 0 });
    expect(await failingSteps(receiptOf(0, first))).toEqual([]);
    expect(await failingSteps(receiptOf(3, fourth))).toEqual([]);
  });

  it("gives promises the API documents, in a claim's answer and a redemption's receipt", async () => {
    const [promise] = await Promise.all([signNth(0), signNth(1), signNth(2)]);
    const receipt = receiptOf(0, promise);
    const claim = {
      redemption: {
        id: "0190f3a2-7b1c-7d4e-8f00-000000000001",
        dropId: "0190f3a2-7b1c-7d4e-8f00-000000000002",
        prizeId: "a0b1c2d3-e4f5-4a6b-9c8d-7e6f5a4b3c2d",
        unitId: 1,
        claimedAt: new Date(CLAIMED_AT_MS).toISOString(),
        status: "fulfilled",
        actionDeadline: null,
        receipt,
        code: "GIFT-0001",
      },
      receipt,
    };
    const json = { status: 201, contentType: "application/json" };
    expect(
      responseProblem("/api/v1/drops/[dropId]/claims", "POST", {
        ...json,
        body: JSON.stringify(claim),
      }),
    ).toBeUndefined();
    expect(
      responseProblem("/api/v1/redemptions/[id]/receipt", "GET", {
        ...json,
        status: 200,
        body: JSON.stringify(receipt),
      }),
    ).toBeUndefined();
    const hostile = structuredClone(receipt);
    Object.assign(hostile.promise.batch ?? {}, { size: 0 });
    expect(
      responseProblem("/api/v1/redemptions/[id]/receipt", "GET", {
        ...json,
        status: 200,
        body: JSON.stringify(hostile),
      }),
    ).toBeDefined();
  });
});
