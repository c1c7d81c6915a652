import { describe, expect, it } from "vitest";
import { clientInfo, normaliseAddress } from "./client-info";

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
    expect(clientInfo(withChain(null), 1)).toEqual({
      ip: null,
      userAgent: null,
      requestId: expect.any(String),
    });
    expect(clientInfo(withChain(" , "), 1).ip).toBeNull();
  });
});

describe("normaliseAddress", () => {
  it("strips the port some load balancers append", () => {
    expect(normaliseAddress("1.2.3.4:5678")).toBe("1.2.3.4");
    expect(normaliseAddress("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(normaliseAddress("[::1]")).toBe("::1");
    expect(normaliseAddress(" 2001:db8::7 ")).toBe("2001:db8::7");
  });

  it("has no address for what only looks like one", () => {
    for (const raw of ["1.2.3.4.5", "::::", "1.2.3.4:", "fe80::1%eth0", "", null]) {
      expect(normaliseAddress(raw)).toBeNull();
    }
  });

  it("never passes a hostile X-Forwarded-For entry on", () => {
    expect(clientInfo(withChain("6.6.6.6, 1.2.3.4:5678"), 1).ip).toBe("1.2.3.4");
    expect(clientInfo(withChain("6.6.6.6, ::::"), 1).ip).toBeNull();
  });
});
