import { describe, expect, it } from "vitest";
import { clientInfo } from "./client-info";

const withChain = (chain: string | null) =>
  new Headers(chain === null ? {} : { "x-forwarded-for": chain, "user-agent": "ua" });

describe("clientInfo", () => {
  it("takes the address the nearest proxy appended, not what the client wrote", () => {
    expect(clientInfo(withChain("6.6.6.6, 203.0.113.7"), 1).ip).toBe("203.0.113.7");
    expect(clientInfo(withChain("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2).ip).toBe("203.0.113.7");
  });

  it("uses the only entry there is when fewer proxies were passed than configured", () => {
    expect(clientInfo(withChain("203.0.113.7"), 2).ip).toBe("203.0.113.7");
  });

  it("has no address without the header", () => {
    expect(clientInfo(withChain(null), 1)).toEqual({ ip: null, userAgent: null });
    expect(clientInfo(withChain(" , "), 1).ip).toBeNull();
  });
});
