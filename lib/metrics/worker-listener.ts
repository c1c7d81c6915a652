import "server-only";
import postgres from "postgres";
import type { Env } from "@/lib/config/env";
import { readWithin } from "./bounded";
import { createMetricsServer, listen, listenerUrl, scrapeMetrics } from "./metrics-server";
import { openWaitingRooms } from "./waiting-rooms";
import { type Loops, workerHealth } from "./worker-health";
import {
  type QueueCounts,
  registerWaitingRoomGauges,
  registerWorkerGauges,
  STATEMENT_TIMEOUT_MS,
} from "./worker-metrics";

/**
 * The worker's `GET /health` and `GET /metrics` on METRICS_ADDRESS:WORKER_PORT (0: none). The
 * gauges read through two connections of their own, each statement cut at two seconds, so neither
 * a scrape storm nor a slow database takes a connection a job needs; /health has a third, so that
 * gauge reads stuck on a slow database never make the worker look dead. A port in use rejects.
 */
export async function startWorkerListener(
  env: Pick<Env, "WORKER_PORT" | "METRICS_ADDRESS" | "METRICS_TOKEN" | "ANCHOR_DEADLINE_SECONDS">,
  deps: { databaseUrl: string; queues: () => Promise<QueueCounts[]>; loops: Loops },
): Promise<{ url?: string; close: () => Promise<void> }> {
  if (env.WORKER_PORT === 0) return { close: async () => {} };
  const sql = postgres(deps.databaseUrl, {
    max: 2,
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "prizeledger-metrics" },
  });
  const healthSql = postgres(deps.databaseUrl, {
    max: 1,
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "prizeledger-health" },
  });
  const end = () => Promise.all([sql.end({ timeout: 1 }), healthSql.end({ timeout: 1 })]);
  registerWorkerGauges({
    sql,
    queues: deps.queues,
    anchorDeadlineSeconds: env.ANCHOR_DEADLINE_SECONDS,
  });
  registerWaitingRoomGauges(() => readWithin(sql, STATEMENT_TIMEOUT_MS, openWaitingRooms));
  const health = workerHealth({ sql: healthSql, jobQueue: deps.queues, loops: deps.loops });
  const server = createMetricsServer(
    { "/health": health, "/metrics": scrapeMetrics },
    env.METRICS_TOKEN,
  );
  try {
    await listen(server, env.WORKER_PORT, env.METRICS_ADDRESS);
  } catch (error) {
    await end();
    throw error;
  }
  return {
    url: listenerUrl(env.METRICS_ADDRESS, env.WORKER_PORT),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await end();
    },
  };
}
