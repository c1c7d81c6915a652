import { describe, expect, it } from "vitest";
import { describeWait } from "./describe-wait";

describe("describeWait", () => {
  it("rounds up, so that nobody is promised less than the estimate", () => {
    expect([1, 59, 60, 61, 240, 7_139, 7_200, 7_201].map(describeWait)).toEqual([
      "under a minute",
      "under a minute",
      "about 1 minute",
      "about 2 minutes",
      "about 4 minutes",
      "about 119 minutes",
      "about 2 hours",
      "about 3 hours",
    ]);
  });

  it("says when nothing is known, and when the turn is next", () => {
    expect(describeWait(null)).toBe("–");
    expect(describeWait(0)).toBe("any moment now");
  });
});
