import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from "./retry-after";

const now = new Date("2026-12-05T20:00:00Z");

describe("Retry-After", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("7", now)).toBe(7_000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
  });

  it("reads the three HTTP-date formats, counted from now", () => {
    expect(parseRetryAfter("Sat, 05 Dec 2026 20:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Saturday, 05-Dec-26 20:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Sat Dec  5 20:00:05 2026", now)).toBe(5_000);
  });

  it("takes a date in the past as now", () => {
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now)).toBe(0);
    // A two-digit year far ahead is in the last century (RFC 9110), so in the past.
    expect(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now)).toBe(0);
  });

  it("clamps a wait longer than the longest allowed", () => {
    expect(parseRetryAfter("86400", now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter("9".repeat(40), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it("refuses what is not a Retry-After value", () => {
    for (const hostile of [
      "",
      "   ",
      "-5",
      "+5",
      "1.5",
      "1e3",
      "0x10",
      "5, 10",
      "Infinity",
      "NaN",
      "soon",
      "٣",
      "9".repeat(41),
      "Sat, 31 Feb 2026 20:00:00 GMT",
      "Sat, 05 Dec 2026 25:00:00 GMT",
      "Sat, 05 Dec 2026 20:00:00 UTC",
      "2026-12-05T20:00:30Z",
      "Sat, 05 Dec 2026 20:00:30 GMT\r\nX-Injected: 1",
    ]) {
      expect(parseRetryAfter(hostile, now), JSON.stringify(hostile)).toBeUndefined();
    }
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
