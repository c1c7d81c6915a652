import { describe, expect, it } from "vitest";
import { parseLedgerQuery } from "./ledger-query";

const HASH = `0x${"ab".repeat(32)}`;

describe("parseLedgerQuery", () => {
  it("tells an index, an id and a hash apart, in any case and with spaces around", () => {
    expect(parseLedgerQuery(" 42 ")).toEqual({ kind: "index", index: 42 });
    expect(parseLedgerQuery("0")).toEqual({ kind: "index", index: 0 });
    expect(parseLedgerQuery("1B4E28BA-2FA1-11D2-883F-0016D3CCA427")).toEqual({
      kind: "id",
      id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    });
    expect(parseLedgerQuery(HASH.toUpperCase().replace("0X", "0x"))).toEqual({
      kind: "hash",
      hash: HASH,
    });
    expect(parseLedgerQuery("ab".repeat(32))).toEqual({ kind: "hash", hash: HASH });
  });

  it("explains in words what is wrong with malformed input", () => {
    const short = parseLedgerQuery("0xabc");
    expect(short.kind).toBe("invalid");
    expect(short.kind === "invalid" && short.error).toMatch(
      /64 hex digits after 0x; this one has 3/,
    );
    const words = parseLedgerQuery("drop one");
    expect(words.kind === "invalid" && words.error).toMatch(
      /“drop one” is not an index, id or hash/,
    );
    expect(parseLedgerQuery("-1").kind).toBe("invalid");
    expect(parseLedgerQuery("99999999999999999999").kind).toBe("invalid");
    const long = parseLedgerQuery("x".repeat(5000));
    expect(long.kind === "invalid" && long.error).toMatch(/too long/);
  });
});
