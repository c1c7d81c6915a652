import { describe, expect, it } from "vitest";
import { metricsRegistry } from "./registry";
import {
  countClaim,
  observeApiRequest,
  observeClaimBatch,
  routeTemplate,
  trackStream,
} from "./web-metrics";

const UUID = "0b7c5a9e-3f1d-4c2b-9a8e-5d6f7a8b9c0d";

describe("routeTemplate", () => {
  it("names each parameter's segment by the parameter", () => {
    expect(routeTemplate(`/api/v1/drops/${UUID}/claims`, { dropId: UUID })).toBe(
      "/api/v1/drops/[dropId]/claims",
    );
    expect(routeTemplate("/api/v1/ledger/proof", {})).toBe("/api/v1/ledger/proof");
  });

  it("never lets what a client wrote through", () => {
    // A parameter spelled otherwise in the path than Next decoded it.
    expect(routeTemplate("/api/v1/codes/a%20b", { code: "a b" })).toBe("other");
    // A segment that no route file spells so.
    expect(routeTemplate("/api/v1/Drops/x", {})).toBe("other");
    expect(routeTemplate("/api/v1/drops/<script>", {})).toBe("other");
    // A catch-all route's segments, however plainly spelled.
    expect(routeTemplate("/api/auth/any/thing", { nextauth: ["any", "thing"] })).toBe("other");
  });
});

/** The samples of a counter or gauge as `labels → value`. */
async function samples(name: string): Promise<Map<string, number>> {
  const metric = metricsRegistry().getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return new Map(values.map((v) => [JSON.stringify(v.labels), v.value]));
}

describe("the web registry", () => {
  it("has the documented metrics, each with its bounded labels, and the process's own", async () => {
    countClaim("granted", performance.now());
    observeClaimBatch(3);
    observeApiRequest("POST", "/api/v1/drops/[dropId]/claims", 201, performance.now());
    trackStream("drop")();
    const metrics = await metricsRegistry().getMetricsAsJSON();
    const labelsOf = (name: string) => {
      const metric = metrics.find((m) => m.name === name);
      if (!metric) throw new Error(`no metric ${name}`);
      return [...new Set(metric.values.flatMap((v) => Object.keys(v.labels)))].sort();
    };
    expect(labelsOf("prizeledger_claims_total")).toEqual(["outcome"]);
    expect(labelsOf("prizeledger_claim_duration_seconds")).toEqual(["le", "result"]);
    expect(labelsOf("prizeledger_claim_batch_size")).toEqual(["le"]);
    expect(labelsOf("prizeledger_http_request_duration_seconds")).toEqual([
      "le",
      "method",
      "route",
      "status",
    ]);
    expect(labelsOf("prizeledger_sse_streams_open")).toEqual(["event"]);
    const names = metrics.map((m) => m.name);
    expect(names).toContain("process_cpu_seconds_total");
    expect(names).toContain("nodejs_eventloop_lag_p99_seconds");
    for (const name of names) expect(name).toMatch(/^(prizeledger|process|nodejs)_[a-z0-9_]+$/);
  });

  it("counts claims by outcome, results by class, and a stream open until it closes once", async () => {
    const before = await samples("prizeledger_claims_total");
    countClaim("sold_out", performance.now());
    countClaim("sold_out", performance.now());
    countClaim("error", performance.now());
    const after = await samples("prizeledger_claims_total");
    const key = (outcome: string) => JSON.stringify({ outcome });
    expect((after.get(key("sold_out")) ?? 0) - (before.get(key("sold_out")) ?? 0)).toBe(2);
    expect((after.get(key("error")) ?? 0) - (before.get(key("error")) ?? 0)).toBe(1);

    const open = async () =>
      (await samples("prizeledger_sse_streams_open")).get(JSON.stringify({ event: "wallet" })) ?? 0;
    const close = trackStream("wallet");
    expect(await open()).toBe(1);
    close();
    close();
    expect(await open()).toBe(0);
  });
});
