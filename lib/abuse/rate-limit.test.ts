import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors/app-error";
import { connectTestDb } from "@/test/db";
import { enforceRateLimits, hitRateLimits, type RateRule } from "./rate-limit";

const db = connectTestDb();
const rule: RateRule = { name: "test", limit: 3, windowSeconds: 3600 };

describe("rate limits in PostgreSQL", () => {
  it("admits up to the limit, then refuses with the seconds left in the window", async () => {
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push(await hitRateLimits(db, [{ rule, subject: "a" }]));
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, true, false, false]);
    const last = verdicts[4];
    expect(last?.retryAfter).toBeGreaterThan(0);
    expect(last?.retryAfter).toBeLessThanOrEqual(3600);
  });

  it("counts each subject apart and refuses when any of several checks is over", async () => {
    for (let i = 0; i < 3; i++) await hitRateLimits(db, [{ rule, subject: "ip-1" }]);
    expect((await hitRateLimits(db, [{ rule, subject: "ip-2" }])).ok).toBe(true);
    const both = await hitRateLimits(db, [
      { rule, subject: "ip-2" },
      { rule, subject: "ip-1" },
    ]);
    expect(both.ok).toBe(false);
  });

  it("skips a check with no subject instead of lumping unknown callers together", async () => {
    for (let i = 0; i < 10; i++)
      expect((await hitRateLimits(db, [{ rule, subject: "" }])).ok).toBe(true);
  });

  it("refuses with rate_limited and retryAfter", async () => {
    const tight: RateRule = { name: "tight", limit: 1, windowSeconds: 60 };
    await enforceRateLimits(db, [{ rule: tight, subject: "x" }]);
    const error = await enforceRateLimits(db, [{ rule: tight, subject: "x" }]).catch((e) => e);
    expect(isAppError(error) && error.code).toBe("rate_limited");
    expect(error.details.retryAfter).toBeGreaterThan(0);
  });
});
