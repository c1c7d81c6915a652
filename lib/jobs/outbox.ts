import "server-only";
import { sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type postgres from "postgres";
import type { Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { executePrepared } from "@/db/prepared";
import type { Log } from "@/lib/log";
import { type QueueName, queueNames } from "./queue";
import { runWokenLoop } from "./woken-loop";

export type OutboxJob = { queue: QueueName; data: object; startAfter?: Date };

/**
 * Jobs to run once the caller's transaction commits: written to the outbox in it, moved into
 * the queue by the relay. Nothing is queued for a transaction that rolls back.
 */
export async function enqueueJobs(tx: Tx, jobs: readonly OutboxJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await executePrepared(
    tx,
    // Every column travels as text[]: postgres.js cannot bind a prepared jsonb[] or timestamptz[].
    sql`insert into job_outbox (queue, data, start_after)
        select q, d::jsonb, s::timestamptz
        from unnest(${sql.param(jobs.map((j) => j.queue))}::text[],
                    ${sql.param(jobs.map((j) => JSON.stringify(j.data)))}::text[],
                    ${sql.param(jobs.map((j) => j.startAfter?.toISOString() ?? null))}::text[])
          as t(q, d, s)`,
  );
  await notify(tx, "job_outbox");
}

type OutboxRow = { id: string; queue: string; data: object; start_after: Date | null };

/**
 * Moves up to `limit` outbox rows into pg-boss in one transaction: the jobs are inserted and the
 * rows deleted together, so a crash between them queues nothing twice and loses nothing.
 * Several relays may run (several workers): each takes rows the others have not locked.
 * Returns how many rows it moved.
 */
export async function relayOutbox(
  sqlClient: postgres.Sql,
  boss: PgBoss,
  limit = 500,
): Promise<number> {
  return sqlClient.begin(async (tx) => {
    const rows = await tx.unsafe<OutboxRow[]>(
      `select id::text, queue, data, start_after from job_outbox
       order by id limit $1 for update skip locked`,
      [limit],
    );
    if (rows.length === 0) return 0;
    const db = {
      executeSql: async (text: string, values?: unknown[]) => ({
        rows: await tx.unsafe(text, (values ?? []) as postgres.ParameterOrJSON<never>[]),
      }),
    };
    for (const queue of queueNames) {
      const jobs = rows.filter((r) => r.queue === queue);
      if (jobs.length === 0) continue;
      await boss.insert(
        queue,
        jobs.map((r) => ({ data: r.data, startAfter: r.start_after ?? undefined })),
        { db },
      );
    }
    // A row naming no queue (written by a newer version) stays for the version that knows it.
    const moved = rows.filter((r) => (queueNames as string[]).includes(r.queue));
    await tx.unsafe("delete from job_outbox where id = any($1::bigint[])", [
      moved.map((r) => r.id),
    ]);
    return moved.length;
  });
}

/**
 * The relay's loop: moves the outbox whenever a transaction says it wrote to it (LISTEN), and
 * every `pollMs` in case a notification was missed (a reconnect).
 */
export async function runOutboxRelay(options: {
  sql: postgres.Sql;
  boss: PgBoss;
  signal: AbortSignal;
  log: Log;
  pollMs?: number;
}): Promise<void> {
  const { sql: client, boss } = options;
  const limit = 500;
  await runWokenLoop({
    ...options,
    channel: "job_outbox",
    pollMs: options.pollMs ?? 1000,
    failureEvent: "outbox_relay_failed_will_retry",
    pass: async () => ({ again: (await relayOutbox(client, boss, limit)) === limit }),
  });
}
