import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors/app-error";
import { connectTestDb } from "@/test/db";
import { inOneWindow } from "@/test/rate-windows";
import { enforceRateLimits, hitRateLimits, type RateRule } from "./rate-limit";

const db = connectTestDb();
const rule: RateRule = { name: "test", limit: 3, windowSeconds: 3600 };

describe("rate limits in PostgreSQL", () => {
  it("admits up to the limit, then refuses with the seconds left in the window", async () => {
    const verdicts = await inOneWindow(db, rule.windowSeconds, async () => {
      const subject = randomUUID();
      const run = [];
      for (let i = 0; i < 5; i++) run.push(await hitRateLimits(db, [{ rule, subject }]));
      return run;
    });
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, true, false, false]);
    const last = verdicts[4];
    expect(last?.retryAfter).toBeGreaterThan(0);
    expect(last?.retryAfter).toBeLessThanOrEqual(3600);
  });

  it("counts each subject apart and refuses when any of several checks is over", async () => {
    const [second, both] = await inOneWindow(db, rule.windowSeconds, async () => {
      const [one, two] = [randomUUID(), randomUUID()];
      for (let i = 0; i < 3; i++) await hitRateLimits(db, [{ rule, subject: one }]);
      return [
        await hitRateLimits(db, [{ rule, subject: two }]),
        await hitRateLimits(db, [
          { rule, subject: two },
          { rule, subject: one },
        ]),
      ];
    });
    expect(second?.ok).toBe(true);
    expect(both?.ok).toBe(false);
  });

  it("skips a check with no subject instead of lumping unknown callers together", async () => {
    for (let i = 0; i < 10; i++)
      expect((await hitRateLimits(db, [{ rule, subject: "" }])).ok).toBe(true);
  });

  it("refuses with rate_limited and retryAfter", async () => {
    const tight: RateRule = { name: "tight", limit: 1, windowSeconds: 60 };
    const error = await inOneWindow(db, tight.windowSeconds, async () => {
      const subject = randomUUID();
      await enforceRateLimits(db, [{ rule: tight, subject }]);
      return enforceRateLimits(db, [{ rule: tight, subject }]).catch((e) => e);
    });
    expect(isAppError(error) && error.code).toBe("rate_limited");
    expect(error.details.retryAfter).toBeGreaterThan(0);
  });
});
