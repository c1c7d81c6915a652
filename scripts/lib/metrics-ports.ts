import type { Env } from "../../lib/config/env";
import { listenerUrl } from "../../lib/metrics/metrics-server";

/**
 * The first web process's metrics port where METRICS_PORT is unset (`npm run web` has none): far
 * enough above the workers' (WORKER_PORT, 9465, and up) that 16 workers and 32 instances fit.
 */
const DEFAULT_METRICS_PORT = 9500;

/**
 * The metrics ports of the n-th web process and the n-th worker that `npm start` or
 * `start:cluster` runs on this machine (from 0): one each, counted up from METRICS_PORT and
 * WORKER_PORT, so that none is taken twice. A WORKER_PORT of 0 keeps the workers' listeners off.
 */
export function metricsPorts(env: Env, index: number): { web: number; worker: number } {
  return {
    web: (env.METRICS_PORT ?? DEFAULT_METRICS_PORT) + index,
    worker: env.WORKER_PORT === 0 ? 0 : env.WORKER_PORT + index,
  };
}

/** The banner's lines saying where each process's metrics (and each worker's health) are. */
export function metricsBanner(env: Env, webs: number, workers: number): string {
  const at = (port: number) => listenerUrl(env.METRICS_ADDRESS, port);
  const lines = [
    ...Array.from({ length: webs }, (_, i) => {
      const name = webs > 1 ? `web${i + 1}` : "web";
      return `    ${name.padEnd(9)} ${at(metricsPorts(env, i).web)}/metrics`;
    }),
    ...Array.from({ length: workers }, (_, i) => {
      const name = workers > 1 ? `worker${i + 1}` : "worker";
      const port = metricsPorts(env, i).worker;
      return `    ${name.padEnd(9)} ${port ? `${at(port)}/metrics, ${at(port)}/health` : "off (WORKER_PORT=0)"}`;
    }),
  ];
  const token = env.METRICS_TOKEN ? ", with METRICS_TOKEN" : "";
  return `  Metrics (Prometheus${token})\n${lines.join("\n")}\n`;
}
