import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addressBucket,
  clientInfo,
  normaliseAddress,
  PEER_ADDRESS_HEADER,
  stampPeerAddress,
} from "./client-info";

const withChain = (chain: string | null) =>
  new Headers(chain === null ? {} : { "x-forwarded-for": chain, "user-agent": "ua" });

describe("clientInfo", () => {
  it("takes the address the nearest proxy appended, not what the client wrote", () => {
    expect(clientInfo(withChain("6.6.6.6, 203.0.113.7"), 1).ip).toBe("203.0.113.7");
    expect(clientInfo(withChain("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2).ip).toBe("203.0.113.7");
  });

  it("uses the leftmost entry when fewer proxies were passed than configured", () => {
    expect(clientInfo(withChain("203.0.113.7"), 2).ip).toBe("203.0.113.7");
    expect(clientInfo(withChain("203.0.113.7, 10.0.0.2"), 10).ip).toBe("203.0.113.7");
  });

  it("has no address without the header", () => {
    expect(clientInfo(withChain(null), 1)).toEqual({
      ip: null,
      userAgent: null,
      requestId: expect.any(String),
    });
    expect(clientInfo(withChain(" , "), 1).ip).toBeNull();
  });

  it("counts from the right past empty entries a client added", () => {
    // Node joins repeated X-Forwarded-For headers with ", ": the proxy's own line comes last.
    expect(clientInfo(withChain("6.6.6.6,,, , 203.0.113.7"), 1).ip).toBe("203.0.113.7");
  });

  it("has no address when the chosen entry is malformed, whatever the entries beside it", () => {
    for (const entry of ["unknown", "_hidden", "203.0.113.7 6.6.6.6", '"[2001:db8::1]"']) {
      expect(clientInfo(withChain(`6.6.6.6, ${entry}`), 1).ip).toBeNull();
    }
    expect(clientInfo(withChain("6.6.6.6, unknown, 10.0.0.2"), 1).ip).toBe("10.0.0.2");
  });

  it("reads a 10 kB header without failing, and only its last entries", () => {
    const spoofed = Array.from({ length: 800 }, (_, i) => `198.51.${i >> 8}.${i & 255}`);
    const chain = [...spoofed, "203.0.113.7"].join(", ");
    expect(chain.length).toBeGreaterThan(10_000);
    expect(clientInfo(withChain(chain), 1).ip).toBe("203.0.113.7");
    expect(clientInfo(withChain(`${"9".repeat(10_000)}, ${"a:".repeat(5_000)}`), 1).ip).toBeNull();
  });

  it("gives IPv6 and IPv4-mapped addresses one spelling", () => {
    expect(clientInfo(withChain("6.6.6.6, 2001:0DB8:0:0::1"), 1).ip).toBe("2001:db8::1");
    expect(clientInfo(withChain("6.6.6.6, ::ffff:203.0.113.7"), 1).ip).toBe("203.0.113.7");
    expect(clientInfo(withChain("6.6.6.6, [::FFFF:cb00:7107]:443"), 1).ip).toBe("203.0.113.7");
  });
});

describe("clientInfo with no proxy (TRUSTED_PROXY_HOPS=0)", () => {
  let server: http.Server;
  let base = "";
  let seen: Array<string | null | undefined> = [];

  // A server as scripts/web-server.ts is: it stamps the peer before the handler reads it.
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      stampPeerAddress(req);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      seen.push(clientInfo(headers, 0).ip);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("has no address under a server that does not stamp the peer, whatever the client sent", () => {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for("prizeledger.peerAddressStamped")];
    const headers = new Headers({ [PEER_ADDRESS_HEADER]: "6.6.6.6", "x-forwarded-for": "6.6.6.6" });
    expect(clientInfo(headers, 0).ip).toBeNull();
  });

  it("takes the socket's peer, whatever X-Forwarded-For or the peer header the client sent", async () => {
    seen = [];
    await fetch(base);
    await fetch(base, { headers: { "x-forwarded-for": "6.6.6.6" } });
    await fetch(base, { headers: { [PEER_ADDRESS_HEADER]: "6.6.6.6" } });
    expect(seen).toEqual(["127.0.0.1", "127.0.0.1", "127.0.0.1"]);
  });

  it("ignores X-Forwarded-For entirely", async () => {
    await fetch(base);
    const headers = withChain("6.6.6.6, 203.0.113.7");
    expect(clientInfo(headers, 0).ip).toBeNull();
    headers.set(PEER_ADDRESS_HEADER, "::ffff:192.0.2.5");
    expect(clientInfo(headers, 0).ip).toBe("192.0.2.5");
  });
});

describe("addressBucket", () => {
  it("counts an IPv4 address alone and an IPv6 address by its /64", () => {
    const buckets = {
      "203.0.113.7": "203.0.113.7",
      "::ffff:203.0.113.7": "203.0.113.7",
      "2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
      "2001:DB8:1:2::ffff": "2001:db8:1:2::/64",
      "2001:db8::1": "2001:db8:0:0::/64",
      "::1": "0:0:0:0::/64",
      "::": "0:0:0:0::/64",
      "fe80:1:2:3::": "fe80:1:2:3::/64",
    };
    for (const [raw, bucket] of Object.entries(buckets))
      expect(addressBucket(raw), raw).toBe(bucket);
  });

  it("is empty, which the limits skip, for no address", () => {
    for (const raw of [null, undefined, "", "unknown", "1.2.3.4.5"])
      expect(addressBucket(raw)).toBe("");
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
    const lookalikes = ["1.2.3.4.5", "::::", "1.2.3.4:", "fe80::1%eth0", "01.2.3.4", "0x7f.0.0.1"];
    for (const raw of [...lookalikes, "[1.2.3.4]:80x", "", null, undefined]) {
      expect(normaliseAddress(raw)).toBeNull();
    }
  });

  it("refuses anything longer than an address could be", () => {
    expect(normaliseAddress(`${" ".repeat(100)}1.2.3.4`)).toBe("1.2.3.4");
    expect(normaliseAddress(`[${"0:".repeat(40)}1]:80`)).toBeNull();
  });

  it("never passes a hostile X-Forwarded-For entry on", () => {
    expect(clientInfo(withChain("6.6.6.6, 1.2.3.4:5678"), 1).ip).toBe("1.2.3.4");
    expect(clientInfo(withChain("6.6.6.6, ::::"), 1).ip).toBeNull();
  });
});
