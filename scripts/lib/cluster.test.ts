import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { proxyHopsProblem, startCluster } from "./cluster";
import { stopper } from "./stack";

describe("start:cluster and TRUSTED_PROXY_HOPS", () => {
  it("refuses 0, in words, before it starts anything: HAProxy is always in front", async () => {
    const env = parseEnv({ TRUSTED_PROXY_HOPS: "0" });
    expect(proxyHopsProblem(env)).toMatch(/every client would count as 127\.0\.0\.1/);
    const started = stopper(() => {});
    const options = { web: 1, workers: 0, firstWebPort: env.PORT + 1, standbyPort: undefined };
    await expect(startCluster(env, options, () => {}, started)).rejects.toThrow(
      /TRUSTED_PROXY_HOPS=0.*HAProxy/,
    );
    expect(started.cleanups).toEqual([]);
  });

  it("takes the default, the balancer alone, and more proxies in front of it", () => {
    expect(proxyHopsProblem(parseEnv({}))).toBeUndefined();
    expect(proxyHopsProblem(parseEnv({ TRUSTED_PROXY_HOPS: "2" }))).toBeUndefined();
  });
});
