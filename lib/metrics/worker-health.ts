import "server-only";
import type postgres from "postgres";
import { boundedSnapshot, withTimeout } from "./bounded";
import type { Answer } from "./metrics-server";
import { registerGaugeCollector } from "./registry";

/** The worker's long-running loops: each that ends before the worker is told to stop is a fault. */
export class Loops {
  private ended: string[] = [];
  private stopping = false;

  /** Follows a loop; its promise is given back unchanged. */
  watch<T>(name: string, loop: Promise<T>): Promise<T> {
    const end = () => {
      if (!this.stopping) this.ended.push(name);
    };
    loop.then(end, end);
    return loop;
  }

  stop(): void {
    this.stopping = true;
  }

  /** Why the loops are not all running, or undefined when they are. */
  problem(): string | undefined {
    if (this.stopping) return "the worker is stopping";
    if (this.ended.length > 0) return `a loop ended: ${this.ended.join(", ")}`;
    return undefined;
  }
}

export type HealthDeps = {
  /** A connection of the health check's own, so that busy jobs cannot starve it. */
  sql: postgres.Sql;
  /** Any cheap call through the job queue's own pool. */
  jobQueue: () => Promise<unknown>;
  loops: Pick<Loops, "problem">;
  timeoutMs?: number;
};

type Health = { ok: true } | { ok: false; reason: string };

async function checkHealth({
  sql,
  jobQueue,
  loops,
  timeoutMs = 2_000,
}: HealthDeps): Promise<Health> {
  const loopProblem = loops.problem();
  if (loopProblem) return { ok: false, reason: loopProblem };
  try {
    await withTimeout(sql`select 1`, timeoutMs, "timeout");
  } catch {
    return { ok: false, reason: "the database does not answer" };
  }
  try {
    await withTimeout(jobQueue(), timeoutMs, "timeout");
  } catch {
    return { ok: false, reason: "the job queue does not answer" };
  }
  return { ok: true };
}

/**
 * `GET /health`: 200 `{"status":"ok"}` while the loops run and the database and the job queue
 * answer, else 503 with the first reason in words (never an error's text: it could name a host).
 * Checks are shared for a second, like the gauges, and also exported as `prizeledger_worker_up`.
 */
export function workerHealth(deps: HealthDeps): () => Promise<Answer> {
  const health = boundedSnapshot(() => checkHealth(deps), {
    timeoutMs: 2 * (deps.timeoutMs ?? 2_000) + 500,
  });
  registerGaugeCollector(
    "prizeledger_worker_up",
    "1 when the worker's loops run and its database and job queue answer (what /health says)",
    async () => ((await health()).ok ? 1 : 0),
  );
  return async () => {
    const result = await health();
    return {
      status: result.ok ? 200 : 503,
      contentType: "application/json",
      body: JSON.stringify(
        result.ok ? { status: "ok" } : { status: "unavailable", reason: result.reason },
      ),
    };
  };
}
