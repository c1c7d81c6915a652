import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "./base64";

describe("strict base64", () => {
  it("round-trips every length and byte value", () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 0xff);
      const text = encodeBase64(bytes);
      expect(text).toBe(btoa(String.fromCharCode(...bytes)));
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  it.each([
    ["missing padding", "YQ"],
    ["URL alphabet", "-_8="],
    ["whitespace", "YWJj\n"],
    ["a padding in the middle", "YQ==YWJj"],
    ["too much padding", "Y==="],
    ["non-zero trailing bits", "YR=="],
  ])("refuses %s", (_, text) => {
    expect(() => decodeBase64(text)).toThrow(/base64/);
  });
});
