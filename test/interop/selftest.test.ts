import { describe, expect, it } from "vitest";
import { interopEnabled, runCheck } from "./checker";

describe.runIf(interopEnabled())("the Go interop checker", () => {
  it("builds offline against Debian's golang.org/x/mod and runs", async () => {
    const out = await runCheck(["selftest"]);
    // RFC 6962: the hash of the empty leaf is SHA-256 of the single byte 0x00.
    expect(out.trim()).toBe("ok 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  }, 120_000);
});
