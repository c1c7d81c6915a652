import { describe, expect, it } from "vitest";
import {
  decodeBase32,
  encodeBase32,
  hotp,
  matchTotp,
  otpauthUri,
  TOTP_STEP_SECONDS,
  totpCode,
  totpStep,
} from "./totp";

// RFC 6238 appendix B: the SHA-1 seed and its 8-digit codes at the given Unix times.
const RFC_SECRET = Buffer.from("12345678901234567890", "ascii");
const RFC_VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("totp", () => {
  it.each(RFC_VECTORS)("matches RFC 6238 at T=%i", (seconds, expected) => {
    expect(hotp(RFC_SECRET, totpStep(seconds * 1000), 8)).toBe(expected);
    expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(expected.slice(-6));
  });

  it("round-trips base32 and reads the RFC 4648 examples", () => {
    expect(encodeBase32(Buffer.from("foobar"))).toBe("MZXW6YTBOI");
    expect(decodeBase32("mzxw 6ytb oi======").toString()).toBe("foobar");
    expect(decodeBase32(encodeBase32(RFC_SECRET)).equals(RFC_SECRET)).toBe(true);
    expect(() => decodeBase32("not base32!")).toThrow();
  });

  it("accepts the codes of one step either side of now, not two", () => {
    const now = 1_700_000_000_000;
    const step = TOTP_STEP_SECONDS * 1000;
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now), now)).toBe(totpStep(now));
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now - step), now)).toBe(totpStep(now) - 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now + step), now)).toBe(totpStep(now) + 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 2 * step), now)).toBeUndefined();
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now + 2 * step), now)).toBeUndefined();
    expect(matchTotp(RFC_SECRET, "12345", now)).toBeUndefined();
  });

  it("refuses a code at or before the last accepted step", () => {
    const now = 1_700_000_000_000;
    const code = totpCode(RFC_SECRET, now);
    const accepted = matchTotp(RFC_SECRET, code, now);
    expect(accepted).toBeDefined();
    expect(matchTotp(RFC_SECRET, code, now, accepted ?? null)).toBeUndefined();
    const earlier = totpCode(RFC_SECRET, now - TOTP_STEP_SECONDS * 1000);
    expect(matchTotp(RFC_SECRET, earlier, now, accepted ?? null)).toBeUndefined();
    const later = totpCode(RFC_SECRET, now + TOTP_STEP_SECONDS * 1000);
    expect(matchTotp(RFC_SECRET, later, now, accepted ?? null)).toBe((accepted ?? 0) + 1);
  });

  it("writes an otpauth URI authenticator apps read", () => {
    const uri = new URL(otpauthUri(RFC_SECRET, "alice@example.test"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Prizeledger:alice@example.test");
    expect(uri.searchParams.get("secret")).toBe(encodeBase32(RFC_SECRET));
    expect(uri.searchParams.get("issuer")).toBe("Prizeledger");
  });
});
