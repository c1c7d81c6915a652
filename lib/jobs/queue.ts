import "server-only";
import {
  type ConstructorOptions,
  type Db,
  type Job,
  type JobResult,
  PgBoss,
  type StopOptions,
} from "pg-boss";
import postgres from "postgres";
import type { Log } from "@/lib/log";

/** pg-boss keeps its tables in a schema of their own, beside the application's. */
export const JOB_SCHEMA = "pgboss";

/**
 * The queues and how each retries. Backoff is pg-boss's exponential one with jitter: the delay
 * after the n-th failure is drawn between half and all of retryDelay·2ⁿ, capped at
 * retryDelayMax. A job whose retries are spent (or that a handler sends there) moves to the
 * queue's dead-letter queue, where it waits for an admin.
 *
 * - `delivery`: a prize to its provider. Twelve retries from 1 s capped at 5 minutes ride out
 *   23 to 28 minutes of provider outage (as the jitter falls) before a delivery is dead.
 * - `mail` and `webhook`: at-least-once, retried for at least a day (the Standard Webhooks
 *   promise), capped at two hours between tries: 22 retries, however the jitter falls
 *   (queue.test.ts adds the delays up).
 * - `push`: one notification to one browser. Twelve retries from 5 s capped at 30 minutes keep
 *   trying for at least two hours: a push is about now (its TTL at the push service is a day),
 *   and one that never arrives loses nothing, the notification stays in the app.
 */
export const QUEUES = {
  delivery: { retryLimit: 12, retryDelay: 1, retryDelayMax: 300, expireInSeconds: 120 },
  mail: { retryLimit: 22, retryDelay: 5, retryDelayMax: 7200, expireInSeconds: 120 },
  webhook: { retryLimit: 22, retryDelay: 5, retryDelayMax: 7200, expireInSeconds: 60 },
  push: { retryLimit: 12, retryDelay: 5, retryDelayMax: 1800, expireInSeconds: 60 },
} as const;
export type QueueName = keyof typeof QUEUES;
export const queueNames = Object.keys(QUEUES) as QueueName[];

/** Where a queue's dead jobs go. */
export function deadLetterQueue(queue: QueueName): string {
  return `${queue}_dead`;
}

/**
 * A pg-boss instance on its own small pool. `work: false` (web instances) only reads and changes
 * jobs for the admin pages; the worker runs the handlers, the maintenance and the LISTEN that
 * wakes them when a job arrives.
 */
export function createJobQueue(databaseUrl: string, options: { work: boolean; max?: number }) {
  return new JobQueue(databaseUrl, options.max ?? (options.work ? 6 : 2), {
    schema: JOB_SCHEMA,
    migrate: false,
    createSchema: false,
    supervise: options.work,
    schedule: false,
    useListenNotify: options.work,
    registerInstance: false,
  });
}

/**
 * Installs or upgrades pg-boss's schema and creates the queues (at migration, under the
 * migration lock). Queue settings are brought to what QUEUES says on every start.
 */
export async function installJobQueue(databaseUrl: string): Promise<void> {
  const boss = new JobQueue(databaseUrl, 1, {
    schema: JOB_SCHEMA,
    supervise: false,
    schedule: false,
    registerInstance: false,
  });
  boss.on("error", () => {});
  await boss.start();
  try {
    for (const name of queueNames) {
      const dead = deadLetterQueue(name);
      if (!(await boss.getQueue(dead))) await boss.createQueue(dead, { retryLimit: 0 });
      const settings = { ...QUEUES[name], retryBackoff: true, deadLetter: dead, notify: true };
      if (await boss.getQueue(name)) await boss.updateQueue(name, settings);
      else await boss.createQueue(name, settings);
    }
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
}

/**
 * pg-boss on a postgres.js pool instead of its own node-postgres one: node-postgres takes one
 * host, while DATABASE_URL may name a primary and its standby
 * (`postgres://…@h1:5432,h2:5432/db?target_session_attrs=read-write`), and postgres.js tries
 * them in turn for a writable server on every connection it opens, so the queue follows a
 * promotion without a restart, as the application's own pool does. The pool is the queue's:
 * stopping the queue with `close` (pg-boss's default) ends it.
 */
class JobQueue extends PgBoss {
  readonly #sql: postgres.Sql;

  constructor(databaseUrl: string, max: number, options: Omit<ConstructorOptions, "db">) {
    const sql = postgres(databaseUrl, {
      max,
      // Unnamed statements, as node-postgres sends them: a pooler in transaction mode takes them.
      prepare: false,
      onnotice: () => {},
      connection: { application_name: "prizeledger-jobs" },
    });
    super({ ...options, db: jobDatabase(sql) });
    this.#sql = sql;
  }

  override async stop(options: StopOptions = {}): Promise<void> {
    await super.stop(options);
    if (options.close !== false) await this.#sql.end({ timeout: 5 });
  }
}

/** pg-boss's database interface over postgres.js, with the LISTEN its workers are woken by. */
export function jobDatabase(sql: postgres.Sql): Db {
  return {
    async executeSql(text, values) {
      if (values?.length) {
        return { rows: await sql.unsafe(text, values as postgres.ParameterOrJSON<never>[]) };
      }
      // Without parameters pg-boss may send several statements in one text, its maintenance a
      // whole `BEGIN; …; COMMIT;`: that takes the simple protocol, as node-postgres sends it, and
      // a connection of its own, since postgres.js refuses a BEGIN on a shared pool connection.
      const connection = await sql.reserve();
      try {
        const result: unknown[] = await connection.unsafe(text).simple();
        // Several statements answer a list of results, one each (rows are objects, never lists):
        // pg-boss reads the rows of all of them, as it does node-postgres's.
        return { rows: result.every(Array.isArray) ? result.flat() : result };
      } catch (error) {
        // A statement that failed after the text's BEGIN left the session in an aborted
        // transaction, which would fail every later statement on it (25P02) once back in the
        // pool: end it here. A connection that is gone has no transaction left to end.
        await connection
          .unsafe("rollback")
          .simple()
          .catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    },
    async listen(channel, onNotification, onReconnect) {
      // postgres.js listens again after its connection drops (on the new primary after a
      // failover) and calls onReconnect each time, so pg-boss fetches what it missed meanwhile.
      const listener = await sql.listen(channel, onNotification, onReconnect);
      // A connection that is gone took its LISTEN with it: nothing is left to undo (this is the
      // database stopping before the worker, as when a whole stack stops at once).
      return { close: () => listener.unlisten().catch(() => {}) };
    },
  };
}

/** What a handler makes of one job: done, try again later, or give up (to the dead letters). */
export type JobOutcome = "completed" | "retry" | "dead";

/**
 * Runs a queue's handler on up to `concurrency` jobs at once, each job on its own: one job's
 * failure retries or buries that job only. A handler that throws is a retry (logged); it never
 * fails the batch. The jobs are fetched in batches of up to 25 by as many pollers as it takes, so
 * one slow job holds back only its own batch.
 */
export async function workQueue<T extends object>(
  boss: PgBoss,
  queue: QueueName,
  options: { concurrency: number; log: Log },
  handle: (job: Job<T>) => Promise<JobOutcome>,
): Promise<string> {
  const batchSize = Math.min(options.concurrency, 25);
  return boss.work<T>(
    queue,
    {
      batchSize,
      localConcurrency: Math.ceil(options.concurrency / batchSize),
      perJobResults: true,
      // NOTIFY wakes a poller when a job is inserted, not when a retry's backoff ends or when a
      // poller comes back from a batch: poll every second, and at once while batches come full.
      pollingIntervalSeconds: 1,
      notifyPollingIntervalSeconds: 1,
      burstWhenBatchFull: true,
    },
    async (jobs): Promise<JobResult[]> =>
      Promise.all(
        jobs.map(async (job): Promise<JobResult> => {
          try {
            const outcome = await handle(job);
            return {
              id: job.id,
              status:
                outcome === "completed"
                  ? "completed"
                  : outcome === "dead"
                    ? "deadletter"
                    : "failed",
            };
          } catch (error) {
            options.log.error("job_failed_will_retry", error, { queue, jobId: job.id });
            return { id: job.id, status: "failed", output: { message: String(error) } };
          }
        }),
      ),
  );
}
