import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { CHAIN_ID, DEV_RECEIPT_KEY } from "@/lib/services/embedded-chain";
import { connectTestChain } from "@/test/chain";
import { encodeLeaf, playerCommitment } from "./leaf";
import { fromHex, leafHash, toHex } from "./merkle";
import { type ProvisionalReceipt, promiseMessage, verifyProvisionalReceipt } from "./provisional";

const chain = connectTestChain();
const PLAYER = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const NOW = 1_800_000_000;

async function receipt(key = DEV_RECEIPT_KEY, anchorBy = NOW + 300): Promise<ProvisionalReceipt> {
  const salt = new Uint8Array(32).fill(7);
  const data = encodeLeaf({
    kind: "redemption",
    entryId: "0190f3a2-7b1c-7d4e-8f00-112233445566",
    prizeId: "a0b1c2d3-e4f5-4a6b-9c8d-7e6f5a4b3c2d",
    dropId: null,
    valueCents: 2500,
    timeMs: NOW * 1000,
    playerCommitment: playerCommitment(PLAYER, salt),
  });
  const wallet = new Wallet(key);
  const promise = { chainId: CHAIN_ID, contract: chain.contractAddress, anchorBy };
  const signature = await wallet.signMessage(
    promiseMessage({ ...promise, leafHash: toHex(leafHash(data)) }),
  );
  return {
    version: 1,
    status: "pending",
    leaf: { index: null, data: toHex(data), salt: toHex(salt), playerId: PLAYER },
    promise: { ...promise, signer: wallet.address, signature },
  };
}

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
