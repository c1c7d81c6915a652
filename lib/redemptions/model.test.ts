import { describe, expect, it } from "vitest";
import { codeIsVoid, formatTokenAmount, type PrizeRecovery } from "./model";

describe("the player's view of a redemption", () => {
  it("reads a stored token amount without its trailing zeros", () => {
    expect(formatTokenAmount("10.000000000000000000")).toBe("10");
    expect(formatTokenAmount("10.500000000000000000")).toBe("10.5");
    expect(formatTokenAmount("0.000000000000000007")).toBe("0.000000000000000007");
    expect(formatTokenAmount("1200")).toBe("1200");
  });

  it("voids a reversed redemption's code, except a stock card that had gone out", () => {
    const reversed = (prize: PrizeRecovery, provider: "pool" | "giftcard" | "token") => ({
      reversal: { reversedAt: "2030-01-01T00:00:00.000Z", reason: "x", prize },
      delivery: { provider } as never,
    });
    expect(codeIsVoid({ reversal: null, delivery: null })).toBe(false);
    expect(codeIsVoid(reversed("returned", "pool"))).toBe(true);
    expect(codeIsVoid(reversed("cancelling", "giftcard"))).toBe(true);
    expect(codeIsVoid(reversed("recovered", "giftcard"))).toBe(true);
    // A provider's card or tokens that went out: the claim's code was only their reference.
    expect(codeIsVoid(reversed("lost", "giftcard"))).toBe(true);
    expect(codeIsVoid(reversed("lost", "token"))).toBe(true);
    // The code is the card itself, already in the player's hands: it cannot be withdrawn.
    expect(codeIsVoid(reversed("lost", "pool"))).toBe(false);
  });
});
