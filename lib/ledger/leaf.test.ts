import { describe, expect, it } from "vitest";
import {
  decodeLeaf,
  decodeRedemptionLeaf,
  encodeLeaf,
  LEAF_LENGTH,
  type LeafEntry,
  LeafFormatError,
  playerCommitment,
} from "./leaf";
import { fromHex, leafHash, toHex } from "./merkle";

const PLAYER_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const SALT = Uint8Array.from({ length: 32 }, (_, i) => i);

// Computed independently (Python hashlib + struct) from the layout in docs/receipt.md.
const GOLDEN_COMMITMENT = "0x9b8cb1f8b1e9f226009cd04acf36f0885047ea6cb4d7da6cb69068508e1c6468";
const GOLDEN_LEAF =
  "0x01010190f3a27b1c7d4e8f00112233445566a0b1c2d3e4f54a6b9c8d7e6f5a4b3c2d1111111122224333844455555555" +
  "5555" +
  "0000000000000a270000019aa4b6457b9b8cb1f8b1e9f226009cd04acf36f0885047ea6cb4d7da6cb69068508e1c6468";
const GOLDEN_LEAF_HASH = "0x4ab21a2f564264b2bfc302e14d9681baf0b6bf8743b5f3d816fa64358a9c2d70";

const entry: LeafEntry = {
  kind: "redemption",
  entryId: "0190f3a2-7b1c-7d4e-8f00-112233445566",
  prizeId: "a0b1c2d3-e4f5-4a6b-9c8d-7e6f5a4b3c2d",
  dropId: "11111111-2222-4333-8444-555555555555",
  valueCents: 2599,
  timeMs: 1763700000123,
  playerCommitment: playerCommitment(PLAYER_ID, SALT),
};

describe("leaf encoding v1", () => {
  it("matches the golden vector", () => {
    expect(toHex(entry.playerCommitment)).toBe(GOLDEN_COMMITMENT);
    const bytes = encodeLeaf(entry);
    expect(bytes.length).toBe(LEAF_LENGTH);
    expect(toHex(bytes)).toBe(GOLDEN_LEAF);
    expect(toHex(leafHash(bytes))).toBe(GOLDEN_LEAF_HASH);
  });

  it("round-trips every kind, a missing drop and extreme values", () => {
    for (const kind of ["redemption", "reversal", "expiry"] as const) {
      const e = { ...entry, kind };
      expect(decodeLeaf(encodeLeaf(e))).toEqual(e);
    }
    const noDrop = { ...entry, dropId: null, valueCents: 0, timeMs: Number.MAX_SAFE_INTEGER };
    expect(decodeLeaf(encodeLeaf(noDrop))).toEqual(noDrop);
  });

  it("encodes a delivery's outcome with its reference's hash, and refuses it as a redemption", () => {
    const delivery = {
      kind: "delivery" as const,
      entryId: entry.entryId,
      timeMs: entry.timeMs,
      playerCommitment: entry.playerCommitment,
      referenceHash: new Uint8Array(32).fill(7),
      outcome: "dead" as const,
      provider: "giftcard" as const,
    };
    const bytes = encodeLeaf(delivery);
    expect(bytes.length).toBe(LEAF_LENGTH);
    expect([bytes[1], bytes[50], bytes[51]]).toEqual([6, 2, 2]);
    expect(decodeLeaf(bytes)).toEqual(delivery);
    expect(() => decodeRedemptionLeaf(bytes)).toThrow(/not a redemption/);
    for (const [offset, value, message] of [
      [50, 4, /outcome code 4/],
      [51, 0, /provider code 0/],
      [55, 1, /52\.\.58 must be zero/],
    ] as const) {
      const bad = bytes.slice();
      bad[offset] = value;
      expect(() => decodeLeaf(bad)).toThrow(message);
    }
  });

  it("normalises UUIDs to lowercase", () => {
    const upper = { ...entry, entryId: entry.entryId.toUpperCase() };
    expect(decodeLeaf(encodeLeaf(upper)).entryId).toBe(entry.entryId);
  });

  it("decodes from a view into a larger buffer", () => {
    const padded = new Uint8Array(LEAF_LENGTH + 10);
    padded.set(encodeLeaf(entry), 5);
    expect(decodeLeaf(padded.subarray(5, 5 + LEAF_LENGTH))).toEqual(entry);
  });

  it("rejects malformed leaves with a message", () => {
    const good = fromHex(GOLDEN_LEAF);
    expect(() => decodeLeaf(good.slice(0, 97))).toThrow(/98 bytes/);
    expect(() => decodeLeaf(new Uint8Array(99))).toThrow(LeafFormatError);
    const badVersion = good.slice();
    badVersion[0] = 2;
    expect(() => decodeLeaf(badVersion)).toThrow(/version 2/);
    for (const code of [0, 8, 255]) {
      const badKind = good.slice();
      badKind[1] = code;
      expect(() => decodeLeaf(badKind)).toThrow(new RegExp(`kind code ${code}`));
    }
    const hugeValue = good.slice();
    hugeValue.fill(0xff, 50, 58);
    expect(() => decodeLeaf(hugeValue)).toThrow(/valueCents/);
  });

  it("encodes seed commitments and rounds in the same 98 bytes, and refuses them as redemptions", () => {
    const seed = {
      kind: "seed_commitment" as const,
      entryId: "0f0e0d0c-0b0a-4908-8706-050403020100",
      serverSeedHash: new Uint8Array(32).fill(0xab),
      firstNonce: 0,
      timeMs: 1_800_000_000_000,
      playerCommitment: new Uint8Array(32).fill(7),
    };
    const bytes = encodeLeaf(seed);
    expect(bytes.length).toBe(98);
    expect(bytes[1]).toBe(4);
    expect(toHex(bytes.subarray(18, 50))).toBe(`0x${"ab".repeat(32)}`);
    expect(decodeLeaf(bytes)).toEqual(seed);
    expect(() => decodeRedemptionLeaf(bytes)).toThrow(/not a redemption/);
    const round = {
      kind: "round" as const,
      entryId: "0f0e0d0c-0b0a-4908-8706-050403020101",
      roundDigest: new Uint8Array(32).fill(0xcd),
      payoutMinor: 198,
      timeMs: 1_800_000_000_001,
      playerCommitment: new Uint8Array(32).fill(9),
    };
    const roundBytes = encodeLeaf(round);
    expect(roundBytes[1]).toBe(5);
    expect(decodeLeaf(roundBytes)).toEqual(round);
    expect(() => encodeLeaf({ ...round, roundDigest: new Uint8Array(31) })).toThrow(/32 bytes/);
  });

  it("rejects entries it cannot encode", () => {
    expect(() => encodeLeaf({ ...entry, entryId: "not-a-uuid" })).toThrow(LeafFormatError);
    expect(() => encodeLeaf({ ...entry, valueCents: -1 })).toThrow(/valueCents/);
    expect(() => encodeLeaf({ ...entry, valueCents: 1.5 })).toThrow(/valueCents/);
    expect(() => encodeLeaf({ ...entry, playerCommitment: new Uint8Array(31) })).toThrow(
      /32 bytes/,
    );
    expect(() => playerCommitment(PLAYER_ID, new Uint8Array(16))).toThrow(/salt/);
  });

  it("commits to both the player and the salt", () => {
    const other = playerCommitment("3f2504e0-4f89-41d3-9a0c-0305e82c3302", SALT);
    const otherSalt = SALT.slice();
    otherSalt[31] = 0;
    expect(other).not.toEqual(entry.playerCommitment);
    expect(playerCommitment(PLAYER_ID, otherSalt)).not.toEqual(entry.playerCommitment);
  });
});
