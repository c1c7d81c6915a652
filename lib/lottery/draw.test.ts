import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex } from "@noble/hashes/utils";
import { describe, expect, it } from "vitest";
import {
  entrantId,
  LOTTERY_ALGORITHM,
  type LotteryTranscript,
  rankEntrants,
  replayTranscript,
  seedHash,
} from "./draw";

const DROP = "00000000-0000-4000-8000-000000000001";
const player = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const seedOf = (n: number) => sha256(new TextEncoder().encode(`seed ${n}`));

/** The golden vector of docs/lottery.md, checked against an independent Python implementation. */
const GOLDEN = {
  seed: new Uint8Array(32).map((_, i) => i),
  entries: [
    { entrant: entrantId(DROP, player(1)), weight: 1 },
    { entrant: entrantId(DROP, player(2)), weight: 2 },
    { entrant: entrantId(DROP, player(3)), weight: 4 },
    { entrant: entrantId(DROP, player(4)), weight: 1 },
  ],
};

describe("lottery draw v1", () => {
  it("matches the golden vector", () => {
    expect(seedHash(GOLDEN.seed)).toBe(
      "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd",
    );
    expect(GOLDEN.entries.map((e) => e.entrant)).toEqual([
      "b434c5f95717832d7ba3decc88380ec366bb12f3727659294b3fca7e7cd7b471",
      "b305959961daa0c43242ed94c41856358b6e9f209be0baa5667d8a83da57b3fd",
      "474416f71fdbd4b74672ab0d433707fff26a4ab52dade9ea030fcbea208b7d41",
      "718c2bcaa83a84e1dae6fde9c13cdb85d92bb11c074458e26d9f2f4819b9ba99",
    ]);
    expect(rankEntrants({ seed: GOLDEN.seed, dropId: DROP, entries: GOLDEN.entries })).toEqual([
      "474416f71fdbd4b74672ab0d433707fff26a4ab52dade9ea030fcbea208b7d41",
      "718c2bcaa83a84e1dae6fde9c13cdb85d92bb11c074458e26d9f2f4819b9ba99",
      "b305959961daa0c43242ed94c41856358b6e9f209be0baa5667d8a83da57b3fd",
      "b434c5f95717832d7ba3decc88380ec366bb12f3727659294b3fca7e7cd7b471",
    ]);
  });

  it("is deterministic and ignores the order of the entries", () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({
      entrant: entrantId(DROP, player(i)),
      weight: [1, 2, 4][i % 3] as number,
    }));
    const ranking = rankEntrants({ seed: seedOf(1), dropId: DROP, entries });
    expect(ranking).toHaveLength(50);
    expect(new Set(ranking).size).toBe(50);
    expect(rankEntrants({ seed: seedOf(1), dropId: DROP, entries })).toEqual(ranking);
    const shuffled = [...entries].reverse().sort((a, b) => a.weight - b.weight);
    expect(rankEntrants({ seed: seedOf(1), dropId: DROP, entries: shuffled })).toEqual(ranking);
    // Another seed, or the same seed for another drop, is another draw.
    expect(rankEntrants({ seed: seedOf(2), dropId: DROP, entries })).not.toEqual(ranking);
    expect(
      rankEntrants({ seed: seedOf(1), dropId: "00000000-0000-4000-8000-000000000002", entries }),
    ).not.toEqual(ranking);
  });

  it("favours heavier entries in proportion to their weight", () => {
    // Efraimidis–Spirakis: the first place goes to an entry with probability w / Σw.
    const entries = [1, 2, 4].map((weight, i) => ({ entrant: entrantId(DROP, player(i)), weight }));
    const firsts = new Map<number, number>();
    const draws = 7000;
    for (let n = 0; n < draws; n++) {
      const [first] = rankEntrants({ seed: seedOf(n), dropId: DROP, entries });
      const weight = entries.find((e) => e.entrant === first)?.weight as number;
      firsts.set(weight, (firsts.get(weight) ?? 0) + 1);
    }
    // Expected 1000, 2000 and 4000; a binomial's standard deviation here is at most ~41.
    expect(firsts.get(1)).toBeGreaterThan(850);
    expect(firsts.get(1)).toBeLessThan(1150);
    expect(firsts.get(2)).toBeGreaterThan(1800);
    expect(firsts.get(2)).toBeLessThan(2200);
    expect(firsts.get(4)).toBeGreaterThan(3800);
    expect(firsts.get(4)).toBeLessThan(4200);
  });

  it("refuses malformed input", () => {
    const ok = { entrant: entrantId(DROP, player(1)), weight: 1 };
    expect(() => rankEntrants({ seed: new Uint8Array(31), dropId: DROP, entries: [ok] })).toThrow(
      "32 bytes",
    );
    expect(() => rankEntrants({ seed: seedOf(1), dropId: DROP, entries: [ok, ok] })).toThrow(
      "twice",
    );
    expect(() =>
      rankEntrants({ seed: seedOf(1), dropId: DROP, entries: [{ ...ok, weight: 0 }] }),
    ).toThrow("positive integer");
    expect(() =>
      rankEntrants({ seed: seedOf(1), dropId: DROP, entries: [{ ...ok, entrant: "AB" }] }),
    ).toThrow("hex");
  });
});

describe("transcript replay", () => {
  const seed = seedOf(7);
  const entries = Array.from({ length: 10 }, (_, i) => ({
    entrant: entrantId(DROP, player(i)),
    weight: [1, 2, 4][i % 3] as number,
  })).sort((a, b) => (a.entrant < b.entrant ? -1 : 1));
  const ranking = rankEntrants({ seed, dropId: DROP, entries });
  const transcript: LotteryTranscript = {
    algorithm: LOTTERY_ALGORITHM,
    dropId: DROP,
    title: "Test",
    units: 3,
    startsAt: "2030-01-01T00:00:00.000Z",
    endsAt: "2030-01-02T00:00:00.000Z",
    seedHash: seedHash(seed),
    seed: bytesToHex(seed),
    drawnAt: "2030-01-02T00:00:01.000Z",
    entries,
    winners: [ranking[0], ranking[2], ranking[3]] as string[],
    skipped: [{ entrant: ranking[1] as string, reason: "not_eligible:flagged" }],
  };

  it("accepts an honest draw, skips included", () => {
    const result = replayTranscript(transcript);
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.ranking).toEqual(ranking);
  });

  it("rejects a seed that is not the committed one", () => {
    const other = seedOf(8);
    const result = replayTranscript({ ...transcript, seed: bytesToHex(other) });
    expect(result.ok).toBe(false);
    expect(result.checks.find((c) => c.label === "Seed matches the commitment")?.ok).toBe(false);
  });

  it("rejects winners that are not the top of the ranking", () => {
    const swapped = [ranking[0], ranking[4], ranking[3]] as string[];
    expect(replayTranscript({ ...transcript, winners: swapped }).ok).toBe(false);
    expect(
      replayTranscript({ ...transcript, winners: transcript.winners?.slice(0, 2) ?? [] }).ok,
    ).toBe(false);
    // A skip the draw never reached cannot explain anything away.
    expect(
      replayTranscript({
        ...transcript,
        skipped: [
          ...(transcript.skipped ?? []),
          { entrant: ranking[9] as string, reason: "not_eligible:tier" },
        ],
      }).ok,
    ).toBe(false);
  });

  it("does not replay a draw that has not happened", () => {
    const result = replayTranscript({ ...transcript, seed: null, winners: null, skipped: null });
    expect(result.ok).toBe(false);
  });
});
