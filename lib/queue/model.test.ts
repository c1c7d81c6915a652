import { describe, expect, it } from "vitest";
import {
  PROOF_PAGE_MAX,
  pageQueueProof,
  proofPageQuery,
  type QueueProof,
  type QueueView,
  queuePollDelayMs,
} from "./model";

const NOW = Date.parse("2026-12-06T12:00:00Z");

const view = (over: Partial<QueueView>): QueueView => ({
  dropId: "d",
  enabled: true,
  state: "waiting",
  opensAt: new Date(NOW - 60_000).toISOString(),
  startsAt: new Date(NOW - 1_000).toISOString(),
  position: 10,
  ahead: 9,
  estimatedWaitSeconds: 9,
  queueLength: 20,
  admissionRatePerMinute: 60,
  admission: null,
  seedHash: "h",
  seed: null,
  pseudonym: "p",
  entry: null,
  ...over,
});

describe("the panel's polling delay", () => {
  const middle = 0.5; // no jitter
  it("is 2 s near the turn and grows with the wait, up to 25 s", () => {
    expect(queuePollDelayMs(view({ estimatedWaitSeconds: 4 }), NOW, middle)).toBe(2_000);
    expect(queuePollDelayMs(view({ estimatedWaitSeconds: 40 }), NOW, middle)).toBe(10_000);
    expect(queuePollDelayMs(view({ estimatedWaitSeconds: 3_600 }), NOW, middle)).toBe(25_000);
  });

  it("is fast while a new arrival waits to be placed, and in states the player acts on", () => {
    expect(queuePollDelayMs(view({ position: null, estimatedWaitSeconds: 900 }), NOW, middle)).toBe(
      2_000,
    );
    for (const state of ["not_joined", "admitted", "admission_expired"] as const) {
      expect(queuePollDelayMs(view({ state }), NOW, middle)).toBe(2_000);
    }
  });

  it("follows the time to the start in the pre-queue, and to the opening before it", () => {
    const startsIn = (ms: number) => new Date(NOW + ms).toISOString();
    const preQueue = (ms: number) => view({ state: "pre_queue", startsAt: startsIn(ms) });
    expect(queuePollDelayMs(preQueue(3_600_000), NOW, middle)).toBe(25_000);
    expect(queuePollDelayMs(preQueue(20_000), NOW, middle)).toBe(5_000);
    expect(queuePollDelayMs(preQueue(-5_000), NOW, middle)).toBe(2_000);
    const notOpen = view({ state: "not_open", opensAt: startsIn(8_000) });
    expect(queuePollDelayMs(notOpen, NOW, middle)).toBe(2_000);
    expect(queuePollDelayMs(view({ state: "closed" }), NOW, middle)).toBe(25_000);
  });

  it("is spread ±20% so a crowd does not read in step", () => {
    const far = view({ estimatedWaitSeconds: 3_600 });
    expect(queuePollDelayMs(far, NOW, 0)).toBe(20_000);
    expect(queuePollDelayMs(far, NOW, 0.999_999)).toBe(30_000);
    expect(queuePollDelayMs(view({ estimatedWaitSeconds: 1 }), NOW, 0)).toBe(1_600);
  });
});

const proof = (entries: number, order: number | null): QueueProof => ({
  dropId: "d",
  algorithm: "prizeledger-queue/v1",
  seedHash: "h",
  seed: order === null ? null : "s",
  startsAt: new Date(NOW).toISOString(),
  shuffledAt: order === null ? null : new Date(NOW).toISOString(),
  entries: Array.from({ length: entries }, (_, i) => ({
    pseudonym: `e${i}`,
    joinedAt: new Date(NOW - i).toISOString(),
  })),
  order: order === null ? null : Array.from({ length: order }, (_, i) => `o${i}`),
});

describe("a page of the proof", () => {
  it("cuts both lists at one cursor, and says where the next page starts", () => {
    const first = pageQueueProof(proof(5, 3), { limit: 2 });
    expect(first.entries.map((e) => e.pseudonym)).toEqual(["e0", "e1"]);
    expect(first.order).toEqual(["o0", "o1"]);
    expect(first.page).toEqual({ after: 0, limit: 2, entryCount: 5, orderCount: 3, next: 2 });
    const last = pageQueueProof(proof(5, 3), { after: 4, limit: 2 });
    expect(last.entries.map((e) => e.pseudonym)).toEqual(["e4"]);
    expect(last.order).toEqual([]);
    expect(last.page.next).toBeNull();
    expect(pageQueueProof(proof(3, null), {}).order).toBeNull();
    expect(pageQueueProof(proof(3, null), {}).page.limit).toBe(PROOF_PAGE_MAX);
  });

  it("refuses a cursor or a size that is no whole number in range, in words", () => {
    expect(proofPageQuery.parse({ after: "10", limit: "50" })).toEqual({ after: 10, limit: 50 });
    const refused = (query: Record<string, string>) =>
      proofPageQuery.safeParse(query).error?.issues[0]?.message;
    expect(refused({ after: "-1" })).toBe("after cannot be negative");
    expect(refused({ after: "x" })).toBe("after must be a number");
    expect(refused({ limit: "1.5" })).toBe("limit is a whole number");
    expect(refused({ limit: "0" })).toBe("limit is at least 1");
    expect(refused({ limit: "5000" })).toBe("limit is at most 1,000");
  });
});
