import { Contract } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import { connectTestChain } from "@/test/chain";
import { LEDGER_ABI } from "./contract";
import { deployLedger } from "./deploy";
import type { TrustRoot } from "./identity";
import { encodeLeaf, playerCommitment } from "./leaf";
import { MemoryLog, toHex } from "./merkle";
import { bundleReceipts } from "./model";
import type { Receipt } from "./receipt";
import { pairReceipts, readReceiptInput, verifyReceiptChain } from "./receipt-chain";

const CHAIN_ID = 31337;
const PLAYER = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const OTHER_PLAYER = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const REDEMPTION = "0190f3a2-7b1c-7d4e-8f00-000000000001";
const OTHER_REDEMPTION = "0190f3a2-7b1c-7d4e-8f00-000000000002";
const CLAIMED_AT = 1_763_700_000_000;
const salt = (seed: number) => Uint8Array.from({ length: 32 }, (_, j) => seed + j);

type Entry = { data: Uint8Array; salt: Uint8Array; playerId: string };

function claimEntry(redemptionId: string, playerId = PLAYER, s = salt(1)): Entry {
  const data = encodeLeaf({
    kind: "redemption",
    entryId: redemptionId,
    prizeId: "a0b1c2d3-e4f5-4a6b-9c8d-7e6f5a4b3c2d",
    dropId: null,
    valueCents: 6000,
    timeMs: CLAIMED_AT,
    playerCommitment: playerCommitment(playerId, s),
  });
  return { data, salt: s, playerId };
}

function deliveryEntry(
  redemptionId: string,
  { playerId = PLAYER, s = salt(1), timeMs = CLAIMED_AT + 60_000 } = {},
): Entry {
  const data = encodeLeaf({
    kind: "delivery",
    entryId: redemptionId,
    timeMs,
    playerCommitment: playerCommitment(playerId, s),
    referenceHash: new Uint8Array(32).fill(7),
    outcome: "delivered",
    provider: "shipping",
  });
  return { data, salt: s, playerId };
}

/** A receipt's document as far as pairing reads it: no proof, never anchored. */
function unanchored(entry: Entry): unknown {
  return {
    version: 1,
    status: "anchored",
    leaf: { index: 0, data: toHex(entry.data), salt: toHex(entry.salt), playerId: entry.playerId },
  };
}

describe("pairing a claim receipt with its delivery receipt", () => {
  const claim = unanchored(claimEntry(REDEMPTION));
  const delivery = unanchored(deliveryEntry(REDEMPTION));

  it("pairs the claim and the delivery of one redemption", () => {
    expect(pairReceipts(claim, delivery)).toMatchObject({
      ok: true,
      redemptionId: REDEMPTION,
      outcome: "delivered",
    });
  });

  it("names what is wrong with a pair that is not one", () => {
    const otherRedemption = unanchored(deliveryEntry(OTHER_REDEMPTION));
    expect(pairReceipts(claim, otherRedemption)).toMatchObject({
      ok: false,
      code: "different_redemption",
      detail: expect.stringContaining(OTHER_REDEMPTION),
    });
    const otherPlayer = unanchored(deliveryEntry(REDEMPTION, { playerId: OTHER_PLAYER }));
    expect(pairReceipts(claim, otherPlayer)).toMatchObject({ code: "different_player" });
    const otherSalt = unanchored(deliveryEntry(REDEMPTION, { s: salt(9) }));
    expect(pairReceipts(claim, otherSalt)).toMatchObject({
      code: "different_player",
      detail: expect.stringContaining("salts differ"),
    });
    const early = unanchored(deliveryEntry(REDEMPTION, { timeMs: CLAIMED_AT - 1 }));
    expect(pairReceipts(claim, early)).toMatchObject({ code: "delivered_before_claimed" });
    expect(pairReceipts(delivery, delivery)).toMatchObject({ code: "not_a_claim" });
    expect(pairReceipts(claim, claim)).toMatchObject({ code: "not_a_delivery" });
    expect(pairReceipts({ leaf: { data: "0x01" } }, delivery)).toMatchObject({
      code: "not_a_claim",
    });
  });

  it("says which receipt is missing", () => {
    expect(pairReceipts(undefined, delivery)).toMatchObject({
      ok: false,
      code: "claim_missing",
      outcome: "delivered",
      detail: expect.stringMatching(/^Claim receipt missing/),
    });
    expect(pairReceipts(claim, undefined)).toMatchObject({ code: "delivery_missing" });
  });

  it("reads a chain file, two receipts in any order, or one receipt", () => {
    expect(readReceiptInput(bundleReceipts(claim, delivery))).toEqual({
      mode: "chain",
      claim,
      delivery,
    });
    expect(readReceiptInput([delivery, claim])).toEqual({ mode: "chain", claim, delivery });
    expect(readReceiptInput(delivery)).toEqual({ mode: "chain", delivery });
    expect(readReceiptInput(claim)).toEqual({ mode: "single", receipt: claim });
    expect(readReceiptInput([claim, claim])).toMatchObject({
      mode: "invalid",
      error: expect.stringMatching(/Neither receipt is a delivery receipt/),
    });
    expect(readReceiptInput([delivery, delivery])).toMatchObject({ mode: "invalid" });
    expect(readReceiptInput([claim, delivery, claim])).toMatchObject({ mode: "invalid" });
    expect(readReceiptInput({ type: "prizeledger/receipt-chain", version: 2 })).toMatchObject({
      mode: "invalid",
    });
  });
});

describe("verifying a chain of receipts against a local chain", () => {
  const chain = connectTestChain();
  let trust: TrustRoot;
  let claim: Receipt;
  let delivery: Receipt;
  let otherDelivery: Receipt;
  let lookAlike: { claim: Receipt; delivery: Receipt };

  /** Anchors the entries in a ledger of its own and returns each one's receipt. */
  async function anchorAll(contract: string, entries: Entry[]): Promise<Receipt[]> {
    const ledger = new Contract(contract, LEDGER_ABI, chain.signer);
    const log = new MemoryLog();
    for (const entry of entries) log.append(entry.data);
    const tx = await ledger.getFunction("appendCheckpoint")(log.size, toHex(log.root()), []);
    const mined = await tx.wait();
    const block = await chain.provider.getBlock(mined.blockNumber);
    if (!block) throw new Error("anchoring block not found");
    return entries.map((entry, index) => ({
      version: 1,
      status: "anchored",
      leaf: {
        index,
        data: toHex(entry.data),
        salt: toHex(entry.salt),
        playerId: entry.playerId,
      },
      inclusionProof: log.inclusionProof(index).map(toHex),
      checkpoint: { treeSize: log.size, rootHash: toHex(log.root()) },
      anchor: {
        chainId: CHAIN_ID,
        contract,
        txHash: mined.hash,
        blockNumber: mined.blockNumber,
        blockTime: block.timestamp,
      },
    }));
  }

  beforeAll(async () => {
    const signer = await chain.signer.getAddress();
    const entries = [
      claimEntry(REDEMPTION),
      claimEntry(OTHER_REDEMPTION, PLAYER, salt(2)),
      deliveryEntry(REDEMPTION),
      deliveryEntry(OTHER_REDEMPTION, { s: salt(2) }),
    ];
    const { address } = await deployLedger(chain.signer, signer, signer);
    trust = { chainId: CHAIN_ID, contract: address, source: "the test's ledger" };
    [claim, , delivery, otherDelivery] = (await anchorAll(address, entries)) as [
      Receipt,
      Receipt,
      Receipt,
      Receipt,
    ];
    // The very same entries anchored in a contract anyone could deploy.
    const twin = (await deployLedger(chain.signer, signer, signer)).address;
    const [twinClaim, , twinDelivery] = (await anchorAll(twin, entries)) as Receipt[];
    lookAlike = { claim: twinClaim as Receipt, delivery: twinDelivery as Receipt };
  }, 120_000);

  it("proves claimed → delivered with both receipts", async () => {
    const seen: string[] = [];
    const result = await verifyReceiptChain({ claim, delivery }, chain.provider, trust, (link, s) =>
      seen.push(`${link}:${s.id}`),
    );
    expect(result).toMatchObject({
      ok: true,
      claim: { present: true, ok: true, provisional: false },
      delivery: { present: true, ok: true, provisional: false },
      pairing: { ok: true, outcome: "delivered", redemptionId: REDEMPTION },
    });
    expect(seen).toContain("claim:checkpoint");
    expect(seen).toContain("delivery:blockTime");
  });

  it("verifies a delivery receipt alone, and says the claim receipt is missing", async () => {
    const result = await verifyReceiptChain({ delivery }, chain.provider, trust);
    expect(result).toMatchObject({
      ok: false,
      claim: { present: false },
      delivery: { present: true, ok: true },
      pairing: { ok: false, code: "claim_missing" },
    });
  });

  it("refuses genuine receipts of two different redemptions as a chain", async () => {
    const result = await verifyReceiptChain(
      { claim, delivery: otherDelivery },
      chain.provider,
      trust,
    );
    expect(result).toMatchObject({
      ok: false,
      claim: { ok: true },
      delivery: { ok: true },
      pairing: { ok: false, code: "different_redemption" },
    });
  });

  it("trusts only the ledger it is given, never one the receipts name", async () => {
    const result = await verifyReceiptChain(lookAlike, chain.provider, trust);
    expect(result).toMatchObject({
      ok: false,
      claim: { ok: false, reason: "untrusted_contract" },
      delivery: { ok: false, reason: "untrusted_contract" },
      // They do pair: only the ledger makes them worthless.
      pairing: { ok: true },
    });
  });
});
