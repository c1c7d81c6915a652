import { describe, expect, it } from "vitest";
import { niceMax } from "./scale";

describe("niceMax", () => {
  it("rounds an axis up to 1, 2, 2.5 or 5 times a power of ten", () => {
    expect([0.3, 1, 3, 7, 12, 21, 240, 260, 999, 1001].map(niceMax)).toEqual([
      0.5, 1, 5, 10, 20, 25, 250, 500, 1000, 2000,
    ]);
  });

  it("gives an empty or negative series an axis of 1, never 0 (no division by zero)", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(-5)).toBe(1);
    expect(niceMax(Number.NaN)).toBe(1);
  });
});
