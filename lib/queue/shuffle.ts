/**
 * The waiting room's shuffle, version 1: pure and isomorphic, so the server, the browser and
 * `npm run queue:replay` run the very same code. docs/waiting-room.md states it precisely enough
 * to reimplement.
 *
 * The pre-queue (places joined before the drop's start) is sorted by pseudonym, then shuffled by
 * Fisher–Yates driven by a SHA-256 stream of the seed, with rejection sampling so every order is
 * equally likely. Later arrivals follow in arrival order: by join time (milliseconds), then
 * pseudonym.
 */
import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils";
import { checkDrawEntry } from "./draw";
import type { QueueProof, QueueProofEntry } from "./model";

export const QUEUE_ALGORITHM = "prizeledger-queue/v1";

const PLACE_DOMAIN = utf8ToBytes("prizeledger/queue-place/v1");
const SHUFFLE_DOMAIN = utf8ToBytes("prizeledger/queue-shuffle/v1");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX32 = /^[0-9a-f]{64}$/;

function canonicalUuid(id: string, what: string): string {
  const lower = id.toLowerCase();
  if (!UUID.test(lower)) throw new Error(`${what} is not a UUID: ${id}`);
  return lower;
}

/**
 * A place's public pseudonym: hex SHA-256("prizeledger/queue-place/v1" ‖ dropId ‖ playerId ‖
 * salt), ids as lowercase UUID text, salt 32 random bytes kept by the site and shown only to
 * the player. Unlike a hash of the ids alone, nobody who knows a player's id can find them in
 * the published list.
 */
export function placePseudonym(dropId: string, playerId: string, salt: Uint8Array): string {
  if (salt.length !== 32) throw new Error("The salt must be 32 bytes");
  return bytesToHex(
    sha256(
      concatBytes(
        PLACE_DOMAIN,
        utf8ToBytes(canonicalUuid(dropId, "dropId")),
        utf8ToBytes(canonicalUuid(playerId, "playerId")),
        salt,
      ),
    ),
  );
}

/** Uniform integers below a bound from SHA-256(domain ‖ seed ‖ dropId ‖ counter as u64 BE). */
function randomStream(seed: Uint8Array, dropId: string): (bound: number) => number {
  let counter = 0n;
  let block: Uint8Array = new Uint8Array(0);
  let offset = 0;
  const nextWord = (): number => {
    if (offset + 4 > block.length) {
      const count = new Uint8Array(8);
      new DataView(count.buffer).setBigUint64(0, counter);
      counter += 1n;
      block = sha256(concatBytes(SHUFFLE_DOMAIN, seed, utf8ToBytes(dropId), count));
      offset = 0;
    }
    const word = new DataView(block.buffer, block.byteOffset + offset, 4).getUint32(0);
    offset += 4;
    return word;
  };
  return (bound) => {
    // Words at or above the largest multiple of `bound` would favour small results: drawn again.
    const limit = Math.floor(2 ** 32 / bound) * bound;
    for (;;) {
      const word = nextWord();
      if (word < limit) return word % bound;
    }
  };
}

/** The pre-queue in its admission order: sorted by pseudonym, then Fisher–Yates from the seed. */
export function shufflePreQueue(seed: Uint8Array, dropId: string, pseudonyms: string[]): string[] {
  if (seed.length !== 32) throw new Error("The seed must be 32 bytes");
  const id = canonicalUuid(dropId, "dropId");
  const seen = new Set<string>();
  for (const p of pseudonyms) {
    if (!HEX32.test(p)) throw new Error(`Pseudonym is not 64 lowercase hex digits: ${p}`);
    if (seen.has(p)) throw new Error(`Pseudonym listed twice: ${p}`);
    seen.add(p);
  }
  const order = [...pseudonyms].sort();
  const below = randomStream(seed, id);
  for (let i = order.length - 1; i > 0; i--) {
    const j = below(i + 1);
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  return order;
}

/** Later arrivals in arrival order: join time (ms), then pseudonym. */
export function arrivalOrder(entries: QueueProofEntry[]): string[] {
  return [...entries]
    .sort((a, b) => {
      const t = Date.parse(a.joinedAt) - Date.parse(b.joinedAt);
      return t !== 0 ? t : a.pseudonym < b.pseudonym ? -1 : 1;
    })
    .map((e) => e.pseudonym);
}

export function seedHashOf(seed: Uint8Array): string {
  return bytesToHex(sha256(seed));
}

/** The order the published entries must have been given: the shuffled pre-queue, then arrivals. */
export function expectedOrder(
  seed: Uint8Array,
  dropId: string,
  startsAt: string,
  entries: QueueProofEntry[],
): string[] {
  const start = Date.parse(startsAt);
  const preQueue = entries.filter((e) => Date.parse(e.joinedAt) < start).map((e) => e.pseudonym);
  const later = entries.filter((e) => Date.parse(e.joinedAt) >= start);
  return [...shufflePreQueue(seed, dropId, preQueue), ...arrivalOrder(later)];
}

export type QueueReplayCheck = { label: string; ok: boolean; detail: string };
export type QueueReplayResult = { ok: boolean; checks: QueueReplayCheck[] };

/**
 * Replays a published queue: the seed matches its commitment, the published order is the
 * shuffled pre-queue followed by the later arrivals, as far as positions were given, and the
 * draw's ledger entry fixed this very pre-queue, seed hash and order (lib/queue/draw.ts).
 */
export function replayQueueProof(proof: QueueProof): QueueReplayResult {
  const checks: QueueReplayCheck[] = [];
  const result = () => ({ ok: checks.every((c) => c.ok), checks });
  if (proof.algorithm !== QUEUE_ALGORITHM) {
    checks.push({
      label: "Algorithm",
      ok: false,
      detail: `unknown algorithm ${proof.algorithm}; this replays ${QUEUE_ALGORITHM}`,
    });
    return result();
  }
  if (proof.seed === null || proof.order === null) {
    checks.push({
      label: "Seed revealed",
      ok: false,
      detail: "the pre-queue is not shuffled yet: the seed is still secret",
    });
    return result();
  }
  if (!HEX32.test(proof.seed)) {
    checks.push({ label: "Seed revealed", ok: false, detail: "the seed is not 32 bytes of hex" });
    return result();
  }
  const seed = hexToBytes(proof.seed);
  const hash = seedHashOf(seed);
  checks.push({
    label: "Seed matches the commitment",
    ok: hash === proof.seedHash,
    detail: `SHA-256(seed) = ${hash}`,
  });
  let expected: string[];
  try {
    expected = expectedOrder(seed, proof.dropId, proof.startsAt, proof.entries);
  } catch (error) {
    checks.push({
      label: "Order recomputed",
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
    });
    return result();
  }
  const preQueue = proof.entries.filter((e) => Date.parse(e.joinedAt) < Date.parse(proof.startsAt));
  const firstDiff = proof.order.findIndex((p, i) => expected[i] !== p);
  checks.push({
    label: "Order matches the replay",
    ok: firstDiff === -1 && proof.order.length >= preQueue.length,
    detail:
      firstDiff !== -1
        ? `position ${firstDiff + 1}: published ${short(proof.order[firstDiff])}, replay gives ${short(expected[firstDiff])}`
        : proof.order.length < preQueue.length
          ? `only ${proof.order.length} of the ${preQueue.length} pre-queue places are in the order`
          : `${preQueue.length} pre-queue place(s) shuffled, then ${proof.order.length - preQueue.length} later arrival(s) in order`,
  });
  checks.push(
    ...checkDrawEntry(
      proof,
      preQueue.map((e) => e.pseudonym),
    ),
  );
  return result();
}

function short(pseudonym: string | undefined): string {
  return pseudonym === undefined ? "nothing" : `${pseudonym.slice(0, 10)}…`;
}
