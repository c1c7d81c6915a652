import "server-only";
import { env } from "@/lib/config/env";
import { createMetricsServer, listen, listenerUrl, scrapeMetrics } from "./metrics-server";

/**
 * A web process's `GET /metrics` on METRICS_ADDRESS:METRICS_PORT + `processIndex` (the n-th of
 * WEB_PROCESSES, from 0: each process is scraped on its own). Unset METRICS_PORT: none. Answers
 * where it listens; a port in use rejects, so a misconfigured instance does not start silently
 * unobserved.
 */
export async function startWebMetricsListener(processIndex: number): Promise<string | undefined> {
  const { METRICS_PORT, METRICS_ADDRESS, METRICS_TOKEN } = env();
  if (METRICS_PORT === undefined) return undefined;
  const port = METRICS_PORT + processIndex;
  const server = createMetricsServer({ "/metrics": scrapeMetrics }, METRICS_TOKEN);
  await listen(server, port, METRICS_ADDRESS);
  // The web server's stop ends the process; this listener must not hold it open meanwhile.
  server.unref();
  return `${listenerUrl(METRICS_ADDRESS, port)}/metrics`;
}
