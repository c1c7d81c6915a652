import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkAdmission, signAdmission } from "./admission-token";

const key = randomBytes(32);
const dropId = "7d3c5a1e-0f4b-4c2d-9a8e-1b2c3d4e5f60";
const playerId = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
const now = Date.parse("2026-01-01T10:00:00.000Z");
const expiresAt = new Date(now + 120_000);
const token = signAdmission({ dropId, playerId, expiresAt }, key);

describe("admission tokens", () => {
  it("admit their own account to their own drop until they expire", () => {
    expect(checkAdmission(token, { dropId, playerId }, now, key)).toBe("admitted");
    expect(checkAdmission(token, { dropId, playerId }, expiresAt.getTime(), key)).toBe("expired");
  });

  it("are refused for another player, another drop, or under another key", () => {
    const other = "11111111-2222-4333-8444-555555555555";
    expect(checkAdmission(token, { dropId, playerId: other }, now, key)).toBe("invalid");
    expect(checkAdmission(token, { dropId: other, playerId }, now, key)).toBe("invalid");
    expect(checkAdmission(token, { dropId, playerId }, now, randomBytes(32))).toBe("invalid");
  });

  it("are refused when forged: a later expiry, a changed signature, garbage", () => {
    const [version, expiry, signature] = token.split(".") as [string, string, string];
    const later = `${version}.${Number(expiry) + 3_600_000}.${signature}`;
    expect(checkAdmission(later, { dropId, playerId }, now, key)).toBe("invalid");
    const flipped = `${version}.${expiry}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    expect(checkAdmission(flipped, { dropId, playerId }, now, key)).toBe("invalid");
    for (const junk of ["x", "a1..", `${token}x`, "a1.1.AAAA", "\u0000"]) {
      expect(checkAdmission(junk, { dropId, playerId }, now, key)).toBe("invalid");
    }
  });

  it("are missing when none is sent", () => {
    expect(checkAdmission(null, { dropId, playerId }, now, key)).toBe("missing");
    expect(checkAdmission("", { dropId, playerId }, now, key)).toBe("missing");
  });
});
