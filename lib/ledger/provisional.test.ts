import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { CHAIN_ID, DEV_RECEIPT_KEY } from "@/scripts/lib/embedded-chain";
import { connectTestChain } from "@/test/chain";
import { type LeafInput, signedProvisionalReceipt } from "@/test/receipts";
import { fromHex } from "./merkle";
import { type ProvisionalReceipt, verifyProvisionalReceipt } from "./provisional";

const chain = connectTestChain();
const PLAYER = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const NOW = 1_800_000_000;

const LEAF: LeafInput = {
  playerId: PLAYER,
  salt: new Uint8Array(32).fill(7),
  valueCents: 2500,
  entryId: "0190f3a2-7b1c-7d4e-8f00-112233445566",
};

const receipt = (key = DEV_RECEIPT_KEY, anchorBy = NOW + 300): Promise<ProvisionalReceipt> =>
  signedProvisionalReceipt(key, CHAIN_ID, chain.contractAddress, LEAF, anchorBy);

const failing = async (r: unknown) =>
  (await verifyProvisionalReceipt(r, chain.provider, chain.trust, NOW)).steps
    .filter((s) => !s.ok)
    .map((s) => s.id);

function flip(hex: string): string {
  const last = hex.at(-1) === "0" ? "1" : "0";
  return `${hex.slice(0, -1)}${last}`;
}

describe("provisional receipts", () => {
  it("verify when signed by a key holding the receipt-signer role, before the deadline", async () => {
    const result = await verifyProvisionalReceipt(
      await receipt(),
      chain.provider,
      chain.trust,
      NOW,
    );
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("fail with a named step when any field changes", async () => {
    const good = await receipt();
    const cases: Array<[(r: ProvisionalReceipt) => void, string]> = [
      [
        (r) =>
          (r.leaf.data = `${r.leaf.data.slice(0, 40)}${flip(r.leaf.data.slice(40, 42))}${r.leaf.data.slice(42)}`),
        "signature",
      ],
      [(r) => (r.leaf.salt = flip(r.leaf.salt)), "leaf"],
      [(r) => (r.leaf.playerId = "3f2504e0-4f89-41d3-9a0c-0305e82c3302"), "leaf"],
      [(r) => (r.promise.anchorBy += 1), "signature"],
      [(r) => (r.promise.chainId += 1), "identity"],
      [(r) => (r.promise.contract = new Wallet(DEV_RECEIPT_KEY).address), "identity"],
      [
        (r) => (r.promise.signer = new Wallet(Wallet.createRandom().privateKey).address),
        "identity",
      ],
      [
        (r) =>
          (r.promise.signature = `${r.promise.signature.slice(0, 10)}${flip(r.promise.signature.slice(10, 12))}${r.promise.signature.slice(12)}`),
        "signature",
      ],
    ];
    for (const [change, step] of cases) {
      const copy = structuredClone(good);
      change(copy);
      expect(await failing(copy)).toContain(step);
    }
  });

  it("fail for a signer the ledger does not name, and for a promise past its deadline", async () => {
    const stranger = await receipt(Wallet.createRandom().privateKey);
    expect(await failing(stranger)).toEqual(["identity"]);
    const late = await receipt(DEV_RECEIPT_KEY, NOW - 1);
    expect(await failing(late)).toEqual(["deadline"]);
    expect(fromHex(late.leaf.salt)).toHaveLength(32);
  });
});
