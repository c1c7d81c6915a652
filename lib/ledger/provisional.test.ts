import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { CHAIN_ID, DEV_RECEIPT_KEY } from "@/scripts/lib/embedded-chain";
import { connectTestChain } from "@/test/chain";
import v1Fixture from "@/test/fixtures/provisional-receipt-v1.json";
import {
  type LeafInput,
  numberedLeaf,
  signedProvisionalBatch,
  signedProvisionalReceipt,
} from "@/test/receipts";
import { fromHex, inclusionRanges } from "./merkle";
import {
  MAX_PROMISE_BATCH,
  type ProvisionalReceipt,
  verifyProvisionalReceipt,
} from "./provisional";

const chain = connectTestChain();
const PLAYER = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const NOW = 1_800_000_000;
const STEP_IDS = ["format", "identity", "leaf", "signature", "signer", "deadline"];

const LEAF: LeafInput = {
  playerId: PLAYER,
  salt: new Uint8Array(32).fill(7),
  valueCents: 2500,
  entryId: "0190f3a2-7b1c-7d4e-8f00-112233445566",
};

/** A receipt signed alone by the operator before batches: its message and signature are fixed. */
const V1_RECEIPT = v1Fixture as ProvisionalReceipt;

const receipt = (key = DEV_RECEIPT_KEY, anchorBy = NOW + 300): Promise<ProvisionalReceipt> =>
  signedProvisionalReceipt(key, CHAIN_ID, chain.contractAddress, LEAF, anchorBy);

/** A batch of `size` receipts by the operator's key, each with its own deadline. */
const batchOf = (size: number): Promise<ProvisionalReceipt[]> =>
  signedProvisionalBatch(
    DEV_RECEIPT_KEY,
    CHAIN_ID,
    chain.contractAddress,
    Array.from({ length: size }, (_, n) => ({ leaf: numberedLeaf(n), anchorBy: NOW + 300 + n })),
  );

const verify = (r: unknown) => verifyProvisionalReceipt(r, chain.provider, chain.trust, NOW);

const failing = async (r: unknown) => (await verify(r)).steps.filter((s) => !s.ok).map((s) => s.id);

const stepDetail = async (r: unknown, id: string) =>
  (await verify(r)).steps.find((s) => s.id === id)?.detail;

function flip(hex: string): string {
  const last = hex.at(-1) === "0" ? "1" : "0";
  return `${hex.slice(0, -1)}${last}`;
}

/** Each single-field change of a receipt, and the step that must then fail. */
const TAMPERINGS: Array<[string, (r: ProvisionalReceipt) => void, string]> = [
  [
    "leaf.data",
    (r) =>
      (r.leaf.data = `${r.leaf.data.slice(0, 40)}${flip(r.leaf.data.slice(40, 42))}${r.leaf.data.slice(42)}`),
    "signature",
  ],
  ["leaf.salt", (r) => (r.leaf.salt = flip(r.leaf.salt)), "leaf"],
  ["leaf.playerId", (r) => (r.leaf.playerId = "3f2504e0-4f89-41d3-9a0c-0305e82c3302"), "leaf"],
  ["promise.anchorBy", (r) => (r.promise.anchorBy += 1), "signature"],
  ["promise.chainId", (r) => (r.promise.chainId += 1), "identity"],
  [
    "promise.contract",
    (r) => (r.promise.contract = new Wallet(DEV_RECEIPT_KEY).address),
    "identity",
  ],
  [
    "promise.signer",
    (r) => (r.promise.signer = new Wallet(Wallet.createRandom().privateKey).address),
    "identity",
  ],
  [
    "promise.signature",
    (r) =>
      (r.promise.signature = `${r.promise.signature.slice(0, 10)}${flip(r.promise.signature.slice(10, 12))}${r.promise.signature.slice(12)}`),
    "signature",
  ],
];

describe("provisional receipts", () => {
  it("signed alone before batches (v1 message) still verify", async () => {
    // The fixture names the contract the embedded chain's first deployment always gets.
    expect(chain.contractAddress).toBe(V1_RECEIPT.promise.contract);
    expect(V1_RECEIPT.promise.batch).toBeUndefined();
    const result = await verify(V1_RECEIPT);
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.steps.map((s) => s.id)).toEqual(STEP_IDS);
    expect(result.ok).toBe(true);
    expect(await stepDetail(V1_RECEIPT, "signature")).toBe(
      `Signed by ${V1_RECEIPT.promise.signer}.`,
    );
  });

  it("signed in a batch verify, each with its own deadline, at every place of batches of 1, 2, 3, 5 and 8", async () => {
    for (const size of [1, 2, 3, 5, 8]) {
      const receipts = await batchOf(size);
      expect(new Set(receipts.map((r) => r.promise.signature)).size).toBe(1);
      for (const [index, r] of receipts.entries()) {
        expect(r.promise.batch).toEqual({
          size,
          index,
          path: expect.any(Array),
        });
        expect(r.promise.batch?.path).toHaveLength(inclusionRanges(index, size).length);
        expect(r.promise.anchorBy).toBe(NOW + 300 + index);
        const result = await verify(r);
        expect(
          result.steps.filter((s) => !s.ok),
          `${index} of ${size}`,
        ).toEqual([]);
        expect(result.steps.map((s) => s.id)).toEqual(STEP_IDS);
        expect(await stepDetail(r, "signature")).toBe(
          `Signed by ${r.promise.signer}, over the root of a batch of ${size} (this receipt at place ${index}).`,
        );
      }
    }
  });

  it("fail with a named step when any field changes, signed alone or in a batch", async () => {
    const [, batched] = await batchOf(3);
    for (const good of [V1_RECEIPT, await receipt(), batched as ProvisionalReceipt]) {
      for (const [name, change, step] of TAMPERINGS) {
        const copy = structuredClone(good);
        change(copy);
        expect(await failing(copy), `${name} of ${good.promise.batch?.size ?? "v1"}`).toContain(
          step,
        );
      }
    }
  });

  it("refuse a batch's path, place or size changed, with the step saying why", async () => {
    const receipts = await batchOf(5);
    const [first, second, , fourth, fifth] = receipts as [
      ProvisionalReceipt,
      ProvisionalReceipt,
      ProvisionalReceipt,
      ProvisionalReceipt,
      ProvisionalReceipt,
    ];
    const batchOfFourth = fourth.promise.batch as NonNullable<
      ProvisionalReceipt["promise"]["batch"]
    >;
    const cases: Array<[string, (r: ProvisionalReceipt) => void, string, string]> = [
      [
        "a hash of the path changed",
        (r) => r.promise.batch?.path.splice(0, 1, flip(batchOfFourth.path[0] as string)),
        "signature",
        "does not match this receipt, its batch path and signer (batch of 5)",
      ],
      [
        "a hash dropped from the path",
        (r) => r.promise.batch?.path.pop(),
        "signature",
        "Place 3 in a batch of 5 has a path of 3 hashes, not 2.",
      ],
      [
        "a hash added to the path",
        (r) => r.promise.batch?.path.push(batchOfFourth.path[0] as string),
        "signature",
        "Place 3 in a batch of 5 has a path of 3 hashes, not 4.",
      ],
      [
        "the place at the size",
        (r) => Object.assign(r.promise.batch ?? {}, { index: 5 }),
        "signature",
        "Batch place 5 is not below the batch size 5.",
      ],
      [
        "the place of another receipt with a path as long",
        (r) => Object.assign(r.promise.batch ?? {}, { index: 2 }),
        "signature",
        "does not match",
      ],
      [
        "the path of another receipt, with its place",
        (r) => (r.promise.batch = structuredClone(first.promise.batch)),
        "signature",
        "does not match",
      ],
      [
        "the path of another receipt, keeping its own place",
        (r) =>
          Object.assign(r.promise.batch ?? {}, {
            path: structuredClone(second.promise.batch?.path),
          }),
        "signature",
        "does not match",
      ],
      [
        "a smaller tree with the path cut to fit",
        (r) =>
          Object.assign(r.promise.batch ?? {}, { size: 4, path: batchOfFourth.path.slice(0, 2) }),
        "signature",
        "does not match",
      ],
      [
        "a batch of one, as if it were the whole batch",
        (r) => (r.promise.batch = { size: 1, index: 0, path: [] }),
        "signature",
        "does not match",
      ],
      [
        "another receipt's leaf",
        (r) => (r.leaf = structuredClone(fifth.leaf)),
        "signature",
        "does not match",
      ],
      [
        "the batch left out, as if signed alone",
        (r) => delete r.promise.batch,
        "signature",
        "The signature does not match this receipt and signer.",
      ],
      [
        "a path hash that is not hex",
        (r) => r.promise.batch?.path.splice(0, 1, `0x${"zz".repeat(32)}`),
        "format",
        "Item 1 of the promise's batch path must be 0x and 64 hex digits.",
      ],
      [
        "a path hash too short",
        (r) => r.promise.batch?.path.splice(0, 1, "0x1234"),
        "format",
        "Item 1 of the promise's batch path",
      ],
      [
        "a path longer than any batch's",
        (r) =>
          Object.assign(r.promise.batch ?? {}, { path: Array(21).fill(batchOfFourth.path[0]) }),
        "format",
        "The promise's batch path must have at most 20 items.",
      ],
      [
        "a size above the bound",
        (r) => Object.assign(r.promise.batch ?? {}, { size: MAX_PROMISE_BATCH + 1 }),
        "format",
        "The promise's batch size must be at most",
      ],
      [
        "a size of zero",
        (r) => Object.assign(r.promise.batch ?? {}, { size: 0, index: 0 }),
        "format",
        "The promise's batch size must be at least 1.",
      ],
      [
        "a negative place",
        (r) => Object.assign(r.promise.batch ?? {}, { index: -1 }),
        "format",
        "The promise's place in its batch must be at least 0.",
      ],
      [
        "a fractional place",
        (r) => Object.assign(r.promise.batch ?? {}, { index: 2.5 }),
        "format",
        "The promise's place in its batch must be a whole number.",
      ],
      [
        "a size as a string",
        (r) => Object.assign(r.promise.batch ?? {}, { size: "5" }),
        "format",
        "The promise's batch size must be a number.",
      ],
      [
        "a batch of null",
        (r) => Object.assign(r.promise, { batch: null }),
        "format",
        "The promise's batch must be an object.",
      ],
      [
        "a path that is no list",
        (r) => Object.assign(r.promise.batch ?? {}, { path: "0x00" }),
        "format",
        "The promise's batch path must be a list.",
      ],
    ];
    for (const [name, change, step, detail] of cases) {
      const copy = structuredClone(fourth);
      change(copy);
      expect(copy, name).not.toEqual(fourth);
      const result = await verify(copy);
      expect(result.ok, name).toBe(false);
      const failed = result.steps.filter((s) => !s.ok);
      expect(
        failed.map((s) => s.id),
        name,
      ).toEqual([step]);
      expect(failed[0]?.detail, name).toContain(detail);
    }
  });

  it("refuse a v1 signature presented with a batch, and a batch's signature without it", async () => {
    const withBatch = structuredClone(V1_RECEIPT);
    withBatch.promise.batch = { size: 1, index: 0, path: [] };
    expect(await failing(withBatch)).toEqual(["signature"]);

    // The operator's batch of one over the same leaf and deadline, stripped of its batch.
    const alone = await receipt(DEV_RECEIPT_KEY, V1_RECEIPT.promise.anchorBy);
    expect(alone.leaf).toEqual(V1_RECEIPT.leaf);
    expect(alone.promise.batch).toEqual({ size: 1, index: 0, path: [] });
    expect(await failing(alone)).toEqual([]);
    delete alone.promise.batch;
    expect(await failing(alone)).toEqual(["signature"]);
  });

  it("fail for a signer the ledger does not name, and for a promise past its deadline", async () => {
    const stranger = await receipt(Wallet.createRandom().privateKey);
    expect(await failing(stranger)).toEqual(["identity"]);
    const late = await receipt(DEV_RECEIPT_KEY, NOW - 1);
    expect(await failing(late)).toEqual(["deadline"]);
    expect(fromHex(late.leaf.salt)).toHaveLength(32);
  });
});
