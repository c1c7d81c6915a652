import "server-only";
import { Counter, collectDefaultMetrics, type Metric, Registry } from "prom-client";

/**
 * The process's one Prometheus registry. It lives on globalThis like the pool: a web process
 * evaluates lib/ in two bundles (Next's build and the direct routes, each with its own copy of
 * prom-client), and a metric counted in one must be scraped with the other's.
 */
const global = globalThis as unknown as {
  prizeledgerMetrics?: { registry: Registry; memo: Map<string, unknown> };
};

function state() {
  if (!global.prizeledgerMetrics) {
    const registry = new Registry();
    // Heap, event-loop lag, CPU, open handles and file descriptors: the process's health.
    collectDefaultMetrics({ register: registry });
    global.prizeledgerMetrics = { registry, memo: new Map() };
  }
  return global.prizeledgerMetrics;
}

export function metricsRegistry(): Registry {
  return state().registry;
}

/**
 * The value `make` gives, made once per process under `key` and registered there: a second
 * bundle gets the first one's metrics, never a second set that the scrape would not see.
 */
export function processWide<T>(key: string, make: (registry: Registry) => T): T {
  const { registry, memo } = state();
  if (!memo.has(key)) memo.set(key, make(registry));
  return memo.get(key) as T;
}

/** A gauge's samples: one value, or one per label set (bounded label values only). */
export type GaugeSamples = number | Array<{ labels: Record<string, string>; value: number }>;

/**
 * Adds a gauge computed when Prometheus scrapes, for a module that owns its numbers (the waiting
 * room's queue length and admission rate per open drop, for one). `collect` may read the
 * database: wrap it in `boundedSnapshot` so that a scrape storm costs one read a second.
 * A collector that fails reports no samples (never a stale or zero value an alert would trust),
 * counts the failure, and the scrape's other metrics still go out. Registering a name again
 * replaces its collector (a test's second worker, say).
 */
export function registerGaugeCollector(
  name: string,
  help: string,
  collect: () => Promise<GaugeSamples>,
): void {
  const collectors = processWide("collectors", () => new Map<string, typeof collect>());
  collectors.set(name, collect);
  // Registered now, so that the scrape whose collector fails first already shows the count.
  const failures = collectFailures();
  processWide(`gauge:${name}`, (registry) => {
    const values = async () => {
      try {
        const samples = await (collectors.get(name) ?? collect)();
        return typeof samples === "number" ? [{ labels: {}, value: samples }] : samples;
      } catch {
        failures.inc({ metric: name });
        return [];
      }
    };
    const gauge = { name, help, type: "gauge", aggregator: "sum" } as const;
    // prom-client's own Gauge always shows a value (0 when unset): this one can show none.
    registry.registerMetric({
      ...gauge,
      get: async () => ({ ...gauge, values: await values() }),
    } as unknown as Metric);
  });
}

function collectFailures(): Counter {
  return processWide(
    "collect_failures",
    (registry) =>
      new Counter({
        name: "prizeledger_metrics_collect_failures_total",
        help: "Scrape-time gauges that could not be computed (database slow or down), by metric",
        labelNames: ["metric"],
        registers: [registry],
      }),
  );
}
