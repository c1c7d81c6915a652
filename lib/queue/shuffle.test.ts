import { describe, expect, it } from "vitest";
import { encodeLeaf } from "@/lib/ledger/leaf";
import { toHex } from "@/lib/ledger/merkle";
import { queueDrawLeaf } from "./draw";
import type { QueueProof } from "./model";
import {
  arrivalOrder,
  expectedOrder,
  placePseudonym,
  QUEUE_ALGORITHM,
  replayQueueProof,
  seedHashOf,
  shufflePreQueue,
} from "./shuffle";

const DROP = "7d3c5a1e-0f4b-4c2d-9a8e-1b2c3d4e5f60";
const seedOf = (byte: number) => new Uint8Array(32).fill(byte);
const pseudonyms = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    placePseudonym(DROP, `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, seedOf(i)),
  );

describe("the waiting room's shuffle", () => {
  it("is a permutation fixed by the seed, whatever order the entries come in", () => {
    const list = pseudonyms(50);
    const order = shufflePreQueue(seedOf(1), DROP, list);
    expect([...order].sort()).toEqual([...list].sort());
    expect(shufflePreQueue(seedOf(1), DROP, [...list].reverse())).toEqual(order);
    expect(order).not.toEqual([...list].sort());
    expect(shufflePreQueue(seedOf(2), DROP, list)).not.toEqual(order);
  });

  it("depends on the drop, so one seed cannot order two rooms alike", () => {
    const list = pseudonyms(20);
    const other = "7d3c5a1e-0f4b-4c2d-9a8e-1b2c3d4e5f61";
    expect(shufflePreQueue(seedOf(1), other, list)).not.toEqual(
      shufflePreQueue(seedOf(1), DROP, list),
    );
  });

  it("gives each of 3 entries every place about equally over many seeds", () => {
    const list = pseudonyms(3);
    const first = new Map<string, number>();
    for (let s = 0; s < 600; s++) {
      const seed = new Uint8Array(32);
      new DataView(seed.buffer).setUint32(0, s);
      const [head] = shufflePreQueue(seed, DROP, list);
      first.set(head as string, (first.get(head as string) ?? 0) + 1);
    }
    // 200 expected each; the seeds are fixed, so this is the same every run.
    for (const p of list) expect(first.get(p)).toBeGreaterThan(150);
  });

  it("refuses malformed or repeated pseudonyms and a short seed", () => {
    const [a] = pseudonyms(1) as [string];
    expect(() => shufflePreQueue(seedOf(1), DROP, [a, a])).toThrow(/twice/);
    expect(() => shufflePreQueue(seedOf(1), DROP, ["XYZ"])).toThrow(/hex/);
    expect(() => shufflePreQueue(new Uint8Array(8), DROP, [a])).toThrow(/32 bytes/);
  });

  it("orders later arrivals by join time, then pseudonym", () => {
    const [a, b, c] = pseudonyms(3) as [string, string, string];
    const [low, high] = [b, c].sort() as [string, string];
    expect(
      arrivalOrder([
        { pseudonym: high, joinedAt: "2026-01-01T00:00:01.000Z" },
        { pseudonym: a, joinedAt: "2026-01-01T00:00:02.000Z" },
        { pseudonym: low, joinedAt: "2026-01-01T00:00:01.000Z" },
      ]),
    ).toEqual([low, high, a]);
  });
});

describe("replaying a published queue", () => {
  const seed = seedOf(7);
  const startsAt = "2026-01-01T10:00:00.000Z";
  const list = pseudonyms(6);
  const entries = list.map((pseudonym, i) => ({
    pseudonym,
    // Four in the pre-queue, two after the start.
    joinedAt: new Date(Date.parse(startsAt) + (i - 4) * 1000).toISOString(),
  }));
  const proof: QueueProof = {
    dropId: DROP,
    algorithm: QUEUE_ALGORITHM,
    seedHash: seedHashOf(seed),
    seed: Buffer.from(seed).toString("hex"),
    startsAt,
    shuffledAt: startsAt,
    entries,
    order: expectedOrder(seed, DROP, startsAt, entries),
  };
  // The draw's ledger entry, as the admitter appends it (lib/queue/draw.ts).
  proof.draw = {
    leaf: toHex(
      encodeLeaf(
        queueDrawLeaf({
          dropId: DROP,
          seedHash: proof.seedHash,
          order: proof.order?.slice(0, 4) ?? [],
          timeMs: Date.parse(startsAt),
        }),
      ),
    ),
    leafIndex: 0,
  };

  it("holds for the order the procedure gives, the arrivals after the shuffled pre-queue", () => {
    expect(replayQueueProof(proof).ok).toBe(true);
    expect(proof.order?.slice(4)).toEqual(list.slice(4));
    // A prefix: positions not given yet.
    expect(replayQueueProof({ ...proof, order: proof.order?.slice(0, 5) ?? null }).ok).toBe(true);
  });

  it("fails for a swapped order, another seed, or a pre-queue cut short", () => {
    const swapped = [...(proof.order ?? [])];
    [swapped[0], swapped[1]] = [swapped[1] as string, swapped[0] as string];
    expect(replayQueueProof({ ...proof, order: swapped }).ok).toBe(false);
    expect(replayQueueProof({ ...proof, seed: "00".repeat(32) }).ok).toBe(false);
    expect(replayQueueProof({ ...proof, order: proof.order?.slice(0, 2) ?? null }).ok).toBe(false);
  });

  it("says so before the shuffle, when the seed is still secret", () => {
    const result = replayQueueProof({ ...proof, seed: null, order: null });
    expect(result.ok).toBe(false);
    expect(result.checks[0]?.detail).toMatch(/still secret/);
  });
});
