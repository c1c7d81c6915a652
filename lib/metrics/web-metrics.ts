import "server-only";
import { Counter, Gauge, Histogram } from "prom-client";
import { processWide } from "./registry";

/**
 * A web process's metrics. Every label value comes from the code, never from a request: claim
 * outcomes are the claim answers' reason codes, routes are the App Router's templates
 * (`/api/v1/drops/[dropId]/claims`), statuses the ones handlers answer, streams the event names
 * their routes give. So the number of series is bounded whatever clients send.
 */
const metrics = () =>
  processWide("web", (registry) => ({
    claims: new Counter({
      name: "prizeledger_claims_total",
      help: "Claims answered, by outcome: granted, a refusal's reason code, or error",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    claimSeconds: new Histogram({
      name: "prizeledger_claim_duration_seconds",
      help: "Time from a claim's arrival to its answer, by result (granted, refused, error)",
      labelNames: ["result"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: "prizeledger_claim_batch_size",
      help: "Claims decided together in one transaction",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: "prizeledger_http_request_duration_seconds",
      help: "API request handling time, by method, route template and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    streams: new Gauge({
      name: "prizeledger_sse_streams_open",
      help: "Server-Sent Events streams this process holds open, by event",
      labelNames: ["event"],
      registers: [registry],
    }),
    // Children bound once per label value: the hot path then does a Map lookup and an add,
    // with no key built and no label object hashed.
    outcomes: new Map<string, Counter.Internal>(),
    results: new Map<string, Histogram.Internal<string>>(),
    routes: new Map<string, Map<string, Map<number, Histogram.Internal<string>>>>(),
    events: new Map<string, Gauge.Internal<string>>(),
  }));

/** The child `make` binds for `key`, bound once. */
function bound<K, V>(children: Map<K, V>, key: K, make: () => V): V {
  let child = children.get(key);
  if (child === undefined) {
    child = make();
    children.set(key, child);
  }
  return child;
}

/** Counts one claim's answer and how long it took (`receivedAt` from performance.now()). */
export function countClaim(outcome: string, receivedAt: number): void {
  const m = metrics();
  const result = outcome === "granted" ? "granted" : outcome === "error" ? "error" : "refused";
  bound(m.outcomes, outcome, () => m.claims.labels(outcome)).inc();
  bound(m.results, result, () => m.claimSeconds.labels(result)).observe(
    (performance.now() - receivedAt) / 1000,
  );
}

export function observeClaimBatch(size: number): void {
  metrics().batchSize.observe(size);
}

/** One API request's handling time; `route` is its template, never the path itself. */
export function observeApiRequest(
  method: string,
  route: string,
  status: number,
  startedAt: number,
): void {
  const m = metrics();
  const byRoute = bound(m.routes, method, () => new Map());
  const byStatus = bound(byRoute, route, () => new Map<number, Histogram.Internal<string>>());
  bound(byStatus, status, () => m.requestSeconds.labels(method, route, String(status))).observe(
    (performance.now() - startedAt) / 1000,
  );
}

/** Counts an event stream as open; the function it returns counts it closed (once). */
export function trackStream(event: string): () => void {
  const m = metrics();
  const gauge = bound(m.events, event, () => m.streams.labels(event));
  gauge.inc();
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    gauge.dec();
  };
}

/** What a route file's own segment may be: anything else in a path came from the client. */
const STATIC_SEGMENT = /^[a-z0-9._-]*$/;

/**
 * The App Router template of a request's path: each segment that is one of the route's
 * parameters becomes `[name]`. A segment that is neither a parameter nor plainly spelled, or a
 * parameter found in no segment (an odd spelling), makes it `other`: what a client writes never
 * becomes a label. So does a catch-all's parameter (an array): its segments, plainly spelled or
 * not, are the client's, one new series per path.
 */
export function routeTemplate(pathname: string, params: Record<string, unknown> = {}): string {
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== "string") return "other";
    names.set(value, name);
  }
  const found = new Set<string>();
  const segments: string[] = [];
  for (const segment of pathname.split("/")) {
    const name = names.get(segment);
    if (name !== undefined) {
      found.add(name);
      segments.push(`[${name}]`);
    } else if (STATIC_SEGMENT.test(segment)) {
      segments.push(segment);
    } else {
      return "other";
    }
  }
  return found.size === names.size ? segments.join("/") : "other";
}

/**
 * Records an API request once its answer is known. The route's parameters (a promise in the App
 * Router's context) name the template; a failure to read them only loses the sample.
 */
export async function recordApiRequest(
  request: Request,
  context: unknown,
  status: number,
  startedAt: number,
): Promise<void> {
  try {
    const params = (context as { params?: Promise<Record<string, unknown>> } | undefined)?.params;
    const route = routeTemplate(new URL(request.url).pathname, params ? await params : {});
    observeApiRequest(request.method, route, status, startedAt);
  } catch {
    // A metric is never worth a failed request.
  }
}
