/**
 * Canonical leaf encoding, version 1 (98 bytes, big-endian). The byte layout is documented in
 * docs/receipt.md; a change here is a new version, never an edit.
 *
 * offset  size  field
 *      0     1  version (= 1)
 *      1     1  kind (1 redemption, 2 reversal, 3 expiry)
 *      2    16  entryId (UUID bytes)
 *     18    16  prizeId (UUID bytes)
 *     34    16  dropId (UUID bytes, all zero when the entry has no drop)
 *     50     8  value in cents (u64)
 *     58     8  time in ms since the Unix epoch (u64)
 *     66    32  playerCommitment = SHA256("prizeledger/player/v1" ‖ playerId UUID bytes ‖ salt)
 *
 * Kinds 4 and 5 keep the length, the version, the entry id, the time and the player commitment
 * where they are, and put their own fields in bytes 18..58:
 *
 * kind 4, seed commitment (a player's server seed, committed before its first round)
 *     18    32  serverSeedHash = SHA256 of the seed's 64-character hex text
 *     50     8  firstNonce: the nonce of the seed's first round (u64)
 * kind 5, game round
 *     18    32  roundDigest = SHA256 of the round's canonical record (lib/games/round-record.ts)
 *     50     8  payout in minor units (u64)
 * kind 6, delivery outcome (entryId is the redemption's id, the commitment its redemption's)
 *     18    32  referenceHash = SHA256 of the provider's reference text (order id, transaction
 *                hash, tracking number; all zero when there is none)
 *     50     1  outcome (1 delivered, 2 dead, 3 cancelled)
 *     51     1  provider (1 pool, 2 gift-card provider, 3 token transfer, 4 shipping)
 *     52     6  zero
 *
 * kind 7, waiting-room draw (entryId is the drop's id; no player: bytes 66..98 hold the draw
 * digest instead of a player commitment; lib/queue/shuffle.ts computes the digests)
 *     18    32  preQueueDigest = digest of the pre-queue's sorted pseudonyms
 *     50     8  count: how many places the pre-queue had (u64)
 *     66    32  drawDigest = SHA256 of the seed hash and the drawn order's digest
 */
import { sha256 } from "@noble/hashes/sha2";
import type { LedgerKind } from "./model";

type LeafCommon = { entryId: string; timeMs: number; playerCommitment: Uint8Array };

/** A redemption, its reversal or its expiry. */
export type RedemptionLeaf = LeafCommon & {
  kind: "redemption" | "reversal" | "expiry";
  prizeId: string;
  dropId: string | null;
  valueCents: number;
};

/** A player's server seed committed: its hash and the nonce its rounds start from. */
export type SeedCommitmentLeaf = LeafCommon & {
  kind: "seed_commitment";
  serverSeedHash: Uint8Array;
  firstNonce: number;
};

/** A game round: the digest of its record and its payout. */
export type RoundLeaf = LeafCommon & {
  kind: "round";
  roundDigest: Uint8Array;
  payoutMinor: number;
};

export const deliveryOutcomes = ["delivered", "dead", "cancelled"] as const;
export type DeliveryOutcome = (typeof deliveryOutcomes)[number];
export const leafProviders = ["pool", "giftcard", "token", "shipping"] as const;

/** How a redemption's delivery ended: the outcome, the provider and its reference's hash. */
export type DeliveryLeaf = LeafCommon & {
  kind: "delivery";
  referenceHash: Uint8Array;
  outcome: DeliveryOutcome;
  provider: (typeof leafProviders)[number];
};

/**
 * A waiting room's draw: the pre-queue it drew (count and digest) and the seed and order it
 * drew with, fixed in the log in the transaction that reveals the seed.
 */
export type QueueDrawLeaf = LeafCommon & {
  kind: "queue_draw";
  preQueueDigest: Uint8Array;
  count: number;
  /** Bytes 66..98; `playerCommitment` holds the same bytes, since a draw has no player. */
  drawDigest: Uint8Array;
};

export type LeafEntry =
  | RedemptionLeaf
  | SeedCommitmentLeaf
  | RoundLeaf
  | DeliveryLeaf
  | QueueDrawLeaf;

export const LEAF_VERSION = 1;
export const LEAF_LENGTH = 98;
export const SALT_LENGTH = 32;
const PLAYER_DOMAIN = new TextEncoder().encode("prizeledger/player/v1");

const KIND_CODES: Record<LedgerKind, number> = {
  redemption: 1,
  reversal: 2,
  expiry: 3,
  seed_commitment: 4,
  round: 5,
  delivery: 6,
  queue_draw: 7,
};
const KINDS_BY_CODE: Record<number, LedgerKind | undefined> = {
  1: "redemption",
  2: "reversal",
  3: "expiry",
  4: "seed_commitment",
  5: "round",
  6: "delivery",
  7: "queue_draw",
};

export class LeafFormatError extends Error {
  override name = "LeafFormatError";
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidBytes(field: string, uuid: string): Uint8Array {
  if (!UUID_PATTERN.test(uuid)) throw new LeafFormatError(`${field} is not a UUID: ${uuid}`);
  const hex = uuid.replaceAll("-", "");
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function uuidString(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function checkU64(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new LeafFormatError(`${field} must be a non-negative safe integer, got ${value}`);
  }
}

function readU64(view: DataView, offset: number, field: string): number {
  const value = view.getBigUint64(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new LeafFormatError(`${field} ${value} exceeds the largest safe integer`);
  }
  return Number(value);
}

/** SHA256(utf8("prizeledger/player/v1") ‖ playerId as 16 UUID bytes ‖ salt). */
export function playerCommitment(playerId: string, salt: Uint8Array): Uint8Array {
  if (salt.length !== SALT_LENGTH) {
    throw new LeafFormatError(`salt must be ${SALT_LENGTH} bytes, got ${salt.length}`);
  }
  const input = new Uint8Array(PLAYER_DOMAIN.length + 16 + SALT_LENGTH);
  input.set(PLAYER_DOMAIN, 0);
  input.set(uuidBytes("playerId", playerId), PLAYER_DOMAIN.length);
  input.set(salt, PLAYER_DOMAIN.length + 16);
  return sha256(input);
}

function checkHash32(field: string, value: Uint8Array): void {
  if (value.length !== 32)
    throw new LeafFormatError(`${field} must be 32 bytes, got ${value.length}`);
}

export function encodeLeaf(entry: LeafEntry): Uint8Array {
  const kind = KIND_CODES[entry.kind];
  if (kind === undefined) throw new LeafFormatError(`unknown leaf kind: ${entry.kind}`);
  checkU64("timeMs", entry.timeMs);
  const tail = entry.kind === "queue_draw" ? entry.drawDigest : entry.playerCommitment;
  checkHash32(entry.kind === "queue_draw" ? "drawDigest" : "playerCommitment", tail);
  const bytes = new Uint8Array(LEAF_LENGTH);
  const view = new DataView(bytes.buffer);
  bytes[0] = LEAF_VERSION;
  bytes[1] = kind;
  bytes.set(uuidBytes("entryId", entry.entryId), 2);
  if (entry.kind === "seed_commitment") {
    checkHash32("serverSeedHash", entry.serverSeedHash);
    checkU64("firstNonce", entry.firstNonce);
    bytes.set(entry.serverSeedHash, 18);
    view.setBigUint64(50, BigInt(entry.firstNonce));
  } else if (entry.kind === "round") {
    checkHash32("roundDigest", entry.roundDigest);
    checkU64("payoutMinor", entry.payoutMinor);
    bytes.set(entry.roundDigest, 18);
    view.setBigUint64(50, BigInt(entry.payoutMinor));
  } else if (entry.kind === "queue_draw") {
    checkHash32("preQueueDigest", entry.preQueueDigest);
    checkU64("count", entry.count);
    bytes.set(entry.preQueueDigest, 18);
    view.setBigUint64(50, BigInt(entry.count));
  } else if (entry.kind === "delivery") {
    checkHash32("referenceHash", entry.referenceHash);
    const outcome = deliveryOutcomes.indexOf(entry.outcome);
    const provider = leafProviders.indexOf(entry.provider);
    if (outcome < 0) throw new LeafFormatError(`unknown delivery outcome: ${entry.outcome}`);
    if (provider < 0) throw new LeafFormatError(`unknown delivery provider: ${entry.provider}`);
    bytes.set(entry.referenceHash, 18);
    bytes[50] = outcome + 1;
    bytes[51] = provider + 1;
  } else {
    checkU64("valueCents", entry.valueCents);
    bytes.set(uuidBytes("prizeId", entry.prizeId), 18);
    if (entry.dropId !== null) bytes.set(uuidBytes("dropId", entry.dropId), 34);
    view.setBigUint64(50, BigInt(entry.valueCents));
  }
  view.setBigUint64(58, BigInt(entry.timeMs));
  bytes.set(tail, 66);
  return bytes;
}

export function decodeLeaf(bytes: Uint8Array): LeafEntry {
  if (bytes.length !== LEAF_LENGTH) {
    throw new LeafFormatError(`leaf must be ${LEAF_LENGTH} bytes, got ${bytes.length}`);
  }
  if (bytes[0] !== LEAF_VERSION) throw new LeafFormatError(`unsupported leaf version ${bytes[0]}`);
  const kind = KINDS_BY_CODE[bytes[1] as number];
  if (kind === undefined) throw new LeafFormatError(`unknown leaf kind code ${bytes[1]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const common: LeafCommon = {
    entryId: uuidString(bytes.subarray(2, 18)),
    timeMs: readU64(view, 58, "timeMs"),
    playerCommitment: bytes.slice(66, 98),
  };
  if (kind === "queue_draw") {
    return {
      kind,
      ...common,
      preQueueDigest: bytes.slice(18, 50),
      count: readU64(view, 50, "count"),
      drawDigest: bytes.slice(66, 98),
    };
  }
  if (kind === "seed_commitment") {
    return {
      kind,
      ...common,
      serverSeedHash: bytes.slice(18, 50),
      firstNonce: readU64(view, 50, "firstNonce"),
    };
  }
  if (kind === "round") {
    return {
      kind,
      ...common,
      roundDigest: bytes.slice(18, 50),
      payoutMinor: readU64(view, 50, "payoutMinor"),
    };
  }
  if (kind === "delivery") {
    const outcome = deliveryOutcomes[(bytes[50] as number) - 1];
    const provider = leafProviders[(bytes[51] as number) - 1];
    if (!outcome) throw new LeafFormatError(`unknown delivery outcome code ${bytes[50]}`);
    if (!provider) throw new LeafFormatError(`unknown delivery provider code ${bytes[51]}`);
    if (bytes.subarray(52, 58).some((b) => b !== 0)) {
      throw new LeafFormatError("a delivery leaf's bytes 52..58 must be zero");
    }
    return { kind, ...common, referenceHash: bytes.slice(18, 50), outcome, provider };
  }
  const dropBytes = bytes.subarray(34, 50);
  return {
    kind,
    ...common,
    prizeId: uuidString(bytes.subarray(18, 34)),
    dropId: dropBytes.every((b) => b === 0) ? null : uuidString(dropBytes),
    valueCents: readU64(view, 50, "valueCents"),
  };
}

/** A leaf that must be a redemption, reversal or expiry (what a redemption receipt proves). */
export function decodeRedemptionLeaf(bytes: Uint8Array): RedemptionLeaf {
  const entry = decodeLeaf(bytes);
  if (
    entry.kind === "seed_commitment" ||
    entry.kind === "round" ||
    entry.kind === "delivery" ||
    entry.kind === "queue_draw"
  ) {
    throw new LeafFormatError(`a ${entry.kind} entry is not a redemption`);
  }
  return entry;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One line naming what the entry records, for people (verifiers, the public log). */
export function describeLeaf(entry: LeafEntry): string {
  switch (entry.kind) {
    case "seed_commitment":
      return `seed commitment ${entry.entryId}: server seed hash ${hex(entry.serverSeedHash)}, first nonce ${entry.firstNonce}`;
    case "round":
      return `round ${entry.entryId}: payout ${(entry.payoutMinor / 100).toFixed(2)}, record digest ${hex(entry.roundDigest)}`;
    case "queue_draw":
      return `waiting-room draw of drop ${entry.entryId}: ${entry.count} pre-queue place(s), pre-queue digest ${hex(entry.preQueueDigest)}, draw digest ${hex(entry.drawDigest)}`;
    case "delivery":
      return `delivery of redemption ${entry.entryId}: ${entry.outcome} by ${entry.provider}, reference hash ${hex(entry.referenceHash)}`;
    default:
      return `${entry.kind} ${entry.entryId} of prize ${entry.prizeId}, value ${(entry.valueCents / 100).toFixed(2)}`;
  }
}
