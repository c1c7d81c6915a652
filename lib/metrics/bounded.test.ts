import { describe, expect, it } from "vitest";
import { boundedSnapshot } from "./bounded";

/** A read that counts its calls and answers the call's number. */
function countingRead() {
  let calls = 0;
  return { read: async () => ++calls, calls: () => calls };
}

describe("boundedSnapshot", () => {
  it("gives a storm of scrapes one read", async () => {
    const { read, calls } = countingRead();
    const snapshot = boundedSnapshot(read, { maxAgeMs: 60_000 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => snapshot()));
    expect(new Set(answers)).toEqual(new Set([1]));
    // Settled and still young: reused.
    expect(await snapshot()).toBe(1);
    expect(calls()).toBe(1);
  });

  it("reads again once the answer is older than maxAgeMs", async () => {
    const { read } = countingRead();
    const snapshot = boundedSnapshot(read, { maxAgeMs: 0 });
    expect(await snapshot()).toBe(1);
    expect(await snapshot()).toBe(2);
  });

  it("gives up on a read that does not answer, and shares the failure", async () => {
    let calls = 0;
    const snapshot = boundedSnapshot(
      () => {
        calls++;
        return new Promise<number>(() => {});
      },
      { timeoutMs: 5, maxAgeMs: 60_000 },
    );
    await expect(snapshot()).rejects.toThrow("no answer within 5 ms");
    await expect(snapshot()).rejects.toThrow("no answer within 5 ms");
    expect(calls).toBe(1);
  });
});
