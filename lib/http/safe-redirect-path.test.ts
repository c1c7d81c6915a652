import { describe, expect, it } from "vitest";
import { safeRedirectPath, withReturnPath } from "./safe-redirect-path";

/** Where a browser at https://prizeledger.test would go if sent to `value`. */
const landing = (value: string) => new URL(value, "https://prizeledger.test/account/security");

describe("safeRedirectPath", () => {
  it.each([
    "/",
    "/account",
    "/drops/0b7c6e3a-52f5-4a11-9d3c-6b1c1e0a8f2d",
    "/admin/accounts?q=sam&suspended=yes",
    "/redemptions?after=%2Fx%2F%2Fy",
    "/admin/accounts?q=%25",
    "/ledger#leaf-12",
    "/a/b/../c",
  ])("keeps the path on this site %s", (value) => {
    expect(safeRedirectPath(value)).toBe(value);
    expect(landing(value).origin).toBe("https://prizeledger.test");
  });

  it.each([
    ["another host, protocol-relative", "//evil.example"],
    ["backslash read as a slash", "/\\evil.example"],
    ["two backslashes", "\\\\evil.example"],
    ["backslash first", "\\/evil.example"],
    ["backslash later in the path", "/account\\..\\..\\evil"],
    ["three slashes", "///evil.example"],
    ["encoded backslash", "/%5Cevil.example"],
    ["encoded backslash, lower case", "/%5cevil.example"],
    ["encoded slash", "/%2Fevil.example"],
    ["encoded twice", "/%255Cevil.example"],
    ["encoded three times", "/%25252F%25252Fevil.example"],
    ["encoded many times over", `/${"%25".repeat(8)}5Cevil.example`],
    ["a scheme", "https://evil.example/"],
    ["javascript:", "javascript:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["scheme-relative with a user", "//user@evil.example"],
    ["no leading slash", "evil.example"],
    ["relative path", "account"],
    ["a tab browsers drop", "/\t/evil.example"],
    ["a newline browsers drop", "/\n/evil.example"],
    ["a carriage return", "/\r/evil.example"],
    ["encoded tab", "/%09/evil.example"],
    ["encoded newline", "/%0a/evil.example"],
    ["NUL", "/account\u0000"],
    ["encoded NUL", "/account%00"],
    ["DEL", "/account\u007f"],
    ["leading space", " //evil.example"],
    ["space inside", "/ /evil.example"],
    ["no-break space", "/\u00a0/evil.example"],
    ["ideographic space", "/\u3000/evil.example"],
    ["right-to-left override", "/\u202e/elpmaxe.live"],
    ["fullwidth solidus", "/\uff0fevil.example"],
    ["empty", ""],
    ["far too long", `/${"a".repeat(5000)}`],
  ])("refuses %s", (_, value) => {
    expect(safeRedirectPath(value, "/fallback")).toBe("/fallback");
  });

  it("refuses what is not a string", () => {
    for (const value of [undefined, null, 42, ["/account"], { toString: () => "/account" }]) {
      expect(safeRedirectPath(value)).toBe("/");
    }
  });
});

describe("withReturnPath", () => {
  it("carries a path on this site, encoded, after any query already there", () => {
    expect(withReturnPath("/signup", "/drops/42?tab=rules")).toBe(
      "/signup?next=%2Fdrops%2F42%3Ftab%3Drules",
    );
    expect(withReturnPath("https://prizeledger.test/verify-email?token=abc", "/catalog")).toBe(
      "https://prizeledger.test/verify-email?token=abc&next=%2Fcatalog",
    );
    const carried = new URL(
      withReturnPath("/verify-email/confirmed", "/a&b=c#d"),
      "https://x.test",
    );
    expect(carried.searchParams.get("next")).toBe("/a&b=c#d");
  });

  it.each([
    ["another host", "//evil.example"],
    ["a scheme", "https://evil.example/"],
    ["a backslash", "/\\evil.example"],
    ["an encoded backslash", "/%5Cevil.example"],
    ["javascript:", "javascript:alert(1)"],
    ["a newline", "/\n/evil.example"],
    ["not a string", ["/account"]],
    ["nothing", undefined],
    ["the home page, where the flow lands anyway", "/"],
  ])("leaves the link as it is for %s", (_, value) => {
    expect(withReturnPath("/verify-email/confirmed", value)).toBe("/verify-email/confirmed");
  });
});
