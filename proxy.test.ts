import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { describe, expect, it } from "vitest";
import { config } from "./proxy";

const runsOn = (url: string) => unstable_doesMiddlewareMatch({ config, url });

describe("the proxy's matcher", () => {
  it("gives pages their nonce and device cookie", () => {
    expect(runsOn("/")).toBe(true);
    expect(runsOn("/verify")).toBe(true);
    expect(runsOn("/drops/abc")).toBe(true);
  });

  it("gives the API reference, a page under /api, the pages' policy too", () => {
    expect(runsOn("/api/docs")).toBe(true);
    // A prefetch header must not skip it: the id a client wrote would reach the page.
    for (const headers of [{ "next-router-prefetch": "1" }, { purpose: "prefetch" }]) {
      expect(unstable_doesMiddlewareMatch({ config, url: "/api/docs", headers })).toBe(true);
    }
    expect(runsOn("/api/docs/more")).toBe(false);
    expect(runsOn("/api/v1/openapi.json")).toBe(false);
  });

  // A device cookie beside `cache-control: public` would reach every browser behind a shared cache.
  it("leaves the API and the well-known documents alone", () => {
    expect(runsOn("/api/v1/drops")).toBe(false);
    expect(runsOn("/.well-known/prizeledger.json")).toBe(false);
  });

  // Tiles are immutable and cached by anyone; the checkpoint is read by monitors and witnesses.
  it("leaves the log's tiles and its checkpoint alone, but not pages that start like them", () => {
    expect(runsOn("/tile/0/000")).toBe(false);
    expect(runsOn("/tile/1/x001/234.p/17")).toBe(false);
    expect(runsOn("/tile/entries/000.p/5")).toBe(false);
    expect(runsOn("/checkpoint")).toBe(false);
    expect(runsOn("/checkpoints")).toBe(true);
    expect(runsOn("/checkpoint/more")).toBe(true);
    expect(runsOn("/tiles")).toBe(true);
  });
});
