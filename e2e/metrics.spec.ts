import { expect, test } from "@playwright/test";
import { movedBetween, parseSamples } from "../test/metrics-samples";
import { BASE_URL, E2E_METRICS_PORT, E2E_WORKER_PORT } from "./constants";
import { createCryptoDrops } from "./crypto-drops";
import { apiToken, createPlayer, otherClientIp } from "./helpers";

/**
 * The built web server and worker expose Prometheus metrics on their own loopback ports, never
 * through the app's port (README, Observability). A claim answered by the direct route and one
 * answered through Next (two bundles of lib/ in one process) land in the one registry.
 */
const WEB_METRICS = `http://127.0.0.1:${E2E_METRICS_PORT}/metrics`;
const WORKER = `http://127.0.0.1:${E2E_WORKER_PORT}`;
const CLAIMS = 'route="/api/v1/drops/[dropId]/claims"';

test("a claim moves the web metrics, whichever path answers it", async ({ request }) => {
  const scrape = async () => {
    const res = await request.get(WEB_METRICS);
    expect(res.status()).toBe(200);
    return parseSamples(await res.text());
  };
  const [dropId] = await createCryptoDrops(`Metrics ${Date.now()}`, 1);
  const player = await createPlayer(request, "metrics");
  const token = await apiToken(request, player.email, player.password);
  const before = await scrape();

  // A bearer token and no cookie: the direct route. With a cookie: through Next.
  const claim = (cookie?: string) =>
    request.post(`/api/v1/drops/${dropId}/claims`, {
      headers: {
        authorization: `Bearer ${token}`,
        "x-forwarded-for": otherClientIp(),
        ...(cookie ? { cookie } : {}),
      },
    });
  expect((await claim()).status()).toBe(201);
  expect((await claim("e2e=through-next")).status()).toBe(409);

  const after = await scrape();
  const moved = movedBetween(before, after);
  expect(moved('prizeledger_claims_total{outcome="granted"}')).toBeGreaterThanOrEqual(1);
  expect(moved('prizeledger_claims_total{outcome="limit_reached"}')).toBeGreaterThanOrEqual(1);
  expect(
    moved(`prizeledger_http_request_duration_seconds_count{method="POST",${CLAIMS},status="201"}`),
  ).toBeGreaterThanOrEqual(1);
  expect(
    moved(`prizeledger_http_request_duration_seconds_count{method="POST",${CLAIMS},status="409"}`),
  ).toBeGreaterThanOrEqual(1);
  expect(after.get("process_cpu_seconds_total")).toBeGreaterThan(0);
  expect([...after.keys()].filter((sample) => sample.includes(dropId ?? "none"))).toEqual([]);
});

test("the app's own port serves no metrics", async ({ request }) => {
  const res = await request.get(`${BASE_URL}/metrics`);
  expect(res.status()).toBe(404);
  expect(await res.text()).not.toContain("prizeledger_claims_total");
});

test("the worker answers /health and its metrics", async ({ request }) => {
  const health = await request.get(`${WORKER}/health`);
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({ status: "ok" });

  const res = await request.get(`${WORKER}/metrics`);
  expect(res.status()).toBe(200);
  const worker = parseSamples(await res.text());
  expect(worker.get("prizeledger_worker_up")).toBe(1);
  expect(worker.get("prizeledger_anchoring_lag_seconds")).toBeGreaterThanOrEqual(0);
  expect(worker.get('prizeledger_jobs_dead{queue="delivery"}')).toBeGreaterThanOrEqual(0);
  expect(worker.get("prizeledger_database_in_recovery")).toBe(0);
});
