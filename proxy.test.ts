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

  // A device cookie beside `cache-control: public` would reach every browser behind a shared cache.
  it("leaves the API and the well-known documents alone", () => {
    expect(runsOn("/api/v1/drops")).toBe(false);
    expect(runsOn("/.well-known/prizeledger.json")).toBe(false);
  });
});
