import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx, Tx } from "@/db/client";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { buryDelivery, restartDeadDelivery } from "@/lib/delivery/retry-delivery";
import { AppError } from "@/lib/errors/app-error";
import { settleDeadLetters } from "./dead-letters";
import { enqueueJobs } from "./outbox";
import { deadLetterQueue, JOB_SCHEMA, type QueueName, queueNames } from "./queue";

/**
 * What admins see of the job queue and change in it. pg-boss's own tables are read and written
 * with its own statements (retryJobs, cancelJobs in pg-boss's plans.js), in the caller's
 * transaction, so the change, its audit event and any job it enqueues commit together; pg-boss's
 * API would run them on its own pool, outside that transaction.
 *
 * A job whose retries are spent is `failed` in its queue and a copy of it waits in the queue's
 * dead letters (`<queue>_dead`, which no worker reads): the copy is what admins see as `dead`,
 * and retrying it retries the job it came from.
 */

/**
 * Where a job stands, as the admin page says it. `pending`: waiting for a worker (possibly until a
 * later time); `retrying`: failed, another try is due; `active`: a worker has it; `dead`: in the
 * dead letters, waiting for an admin.
 */
export const adminJobStates = ["pending", "retrying", "active", "dead"] as const;
export type AdminJobState = (typeof adminJobStates)[number];

export type JobQueueCounts = { queue: QueueName } & Record<AdminJobState, number>;

export type AdminJob = {
  id: string;
  queue: QueueName;
  state: AdminJobState;
  data: unknown;
  /** Tries made so far (a dead job's: those of the job it came from). */
  retryCount: number;
  /** How many retries the job may have; null for a dead one (it runs only when retried). */
  retryLimit: number | null;
  createdAt: string;
  /** Not before this time: the next try of a retrying job. */
  startAfter: string;
  /** The last failure's message, when the worker gave one. */
  lastError: string | null;
};

export type JobTarget = { queue: string; jobId: string };

const JOB = sql.raw(`${JOB_SCHEMA}.job`);
const NOW = sql.raw(`${JOB_SCHEMA}.job_now()`);
const deadQueues = () => queueNames.map(deadLetterQueue);
const queueOfName = (name: string) =>
  queueNames.find((q) => q === name || deadLetterQueue(q) === name) as QueueName;

/** Jobs not yet done, by queue and state (dead: unsettled dead letters). */
export async function countJobs(db: DbOrTx): Promise<JobQueueCounts[]> {
  const rows = await db.execute<{ name: string; state: string; n: number }>(sql`
    select name, state::text, count(*)::int as n from ${JOB}
    where name = any(${sql.param([...queueNames, ...deadQueues()])}::text[])
      and state < 'completed'
    group by name, state`);
  return queueNames.map((queue) => {
    const count = (name: string, state: string) =>
      rows.find((r) => r.name === name && r.state === state)?.n ?? 0;
    const dead = deadLetterQueue(queue);
    return {
      queue,
      pending: count(queue, "created"),
      retrying: count(queue, "retry"),
      active: count(queue, "active"),
      dead: count(dead, "created") + count(dead, "retry") + count(dead, "active"),
    };
  });
}

type JobRow = {
  id: string;
  name: string;
  state: string;
  data: unknown;
  retry_count: number;
  retry_limit: number;
  created_on: string;
  start_after: string;
  output: unknown;
};

function toAdminJob(row: JobRow): AdminJob {
  const dead = !(queueNames as string[]).includes(row.name);
  const output = row.output as { message?: unknown } | null;
  return {
    id: row.id,
    queue: queueOfName(row.name),
    state: dead
      ? "dead"
      : row.state === "created"
        ? "pending"
        : row.state === "retry"
          ? "retrying"
          : "active",
    data: row.data,
    retryCount: row.retry_count,
    retryLimit: dead ? null : row.retry_limit,
    createdAt: new Date(row.created_on).toISOString(),
    startAfter: new Date(row.start_after).toISOString(),
    lastError: typeof output?.message === "string" ? output.message.slice(0, 500) : null,
  };
}

/**
 * The newest jobs not yet done in every queue, dead letters first (they wait for an admin), then
 * retrying, active and pending; at most `limit` of each kind.
 */
export async function listJobs(db: DbOrTx, limit = 50): Promise<AdminJob[]> {
  const columns = sql`id::text, name, state::text, data,
                      coalesce(source_retry_count, retry_count) as retry_count, retry_limit,
                      created_on::text, start_after::text, coalesce(output, source_output) as output`;
  const [dead, live] = await Promise.all([
    db.execute<JobRow>(sql`
      select ${columns} from ${JOB}
      where name = any(${sql.param(deadQueues())}::text[]) and state < 'completed'
      order by created_on desc, id limit ${limit}`),
    db.execute<JobRow>(sql`
      (select ${columns} from ${JOB}
       where name = any(${sql.param(queueNames)}::text[]) and state = 'retry'
       order by created_on desc, id limit ${limit})
      union all
      (select ${columns} from ${JOB}
       where name = any(${sql.param(queueNames)}::text[]) and state = 'active'
       order by created_on desc, id limit ${limit})
      union all
      (select ${columns} from ${JOB}
       where name = any(${sql.param(queueNames)}::text[]) and state = 'created'
       order by created_on desc, id limit ${limit})`),
  ]);
  return [...dead, ...live].map(toAdminJob);
}

const targetSchema = z.object({
  queue: z.enum(queueNames, { error: "No such queue" }),
  jobId: z.uuid({ error: "No such job" }),
});

/** The target as a known queue and a job id; a malformed one is no job at all. */
function parseTarget(target: JobTarget): { queue: QueueName; jobId: string } {
  const parsed = targetSchema.safeParse(target);
  if (!parsed.success) throw new AppError("not_found", "No such job");
  return parsed.data;
}

type LockedJob = { name: string; state: string; data: unknown; source_id: string | null };

/** The job, locked, in its queue or its dead letters; not_found when neither has it. */
async function lockJob(tx: Tx, queue: QueueName, jobId: string): Promise<LockedJob> {
  const [job] = await tx.execute<LockedJob>(sql`
    select name, state::text, data, source_id::text from ${JOB}
    where id = ${jobId} and name in (${queue}, ${deadLetterQueue(queue)})
    for update`);
  if (!job) throw new AppError("not_found", "No such job");
  return job;
}

export type JobChange = { queue: QueueName; jobId: string; outcome: "retried" | "cancelled" };

type Caller = { adminId: string };
type Context = RequestContext & { tokenId?: string | null };

/** pg-boss's states before a job is done (its enum's order puts them first). */
const UNDONE = new Set(["created", "retry", "active"]);

/** A delivery job's redemption, when the data names one. */
const redemptionOf = (queue: QueueName, data: unknown) => {
  const id = (data as { redemptionId?: unknown } | null)?.redemptionId;
  return queue === "delivery" && typeof id === "string" ? id : null;
};

/**
 * Locks the job and applies `change` (which refuses with an AppError, or returns what the audit
 * event records), with its audit event, in one transaction.
 */
async function changeJob(
  db: Db,
  target: JobTarget,
  { adminId }: Caller,
  context: Context,
  outcome: JobChange["outcome"],
  change: (tx: Tx, job: LockedJob & { queue: QueueName; jobId: string }) => Promise<object>,
): Promise<JobChange> {
  const { queue, jobId } = parseTarget(target);
  return db.transaction(async (tx) => {
    const job = await lockJob(tx, queue, jobId);
    const data = await change(tx, { ...job, queue, jobId });
    await recordEvent(tx, {
      ...context,
      actorId: adminId,
      action: outcome === "retried" ? "job_retry" : "job_cancel",
      subject: `job:${queue}:${jobId}`,
      outcome: "ok",
      data: { queue, jobId, state: job.state, dead: job.name !== queue, data: job.data, ...data },
    });
    return { queue, jobId, outcome };
  });
}

/**
 * Retries a dead job: the job it came from goes back to its queue (pg-boss's retry: one more try,
 * due now) and the dead letter is settled. When pg-boss has deleted that job already (its
 * retention), a new job with the same data is queued instead. Only dead jobs are retried: a
 * pending, retrying or running one will run anyway.
 */
export function retryJob(
  db: Db,
  target: JobTarget,
  caller: Caller,
  context: Context = {},
): Promise<JobChange> {
  return changeJob(db, target, caller, context, "retried", async (tx, job) => {
    const { queue, jobId } = job;
    if (job.name === queue || !UNDONE.has(job.state)) {
      throw new AppError("not_retryable", "Only a dead job can be retried: this one is not dead");
    }
    const requeued = job.source_id
      ? await tx.execute(sql`
          update ${JOB} set state = 'retry', retry_limit = retry_limit + 1, completed_on = null,
                            start_after = greatest(start_after, ${NOW})
          where name = ${queue} and id = ${job.source_id} and state = 'failed'
          returning 1`)
      : [];
    if (requeued.length === 0) {
      await enqueueJobs(tx, [{ queue, data: (job.data ?? {}) as object }]);
    }
    await settleDeadLetters(tx, queue, sql`(id = ${jobId} or source_id = ${job.source_id})`);
    // The delivery's job runs only for a delivery still under way: a dead one starts over.
    const redemptionId = redemptionOf(queue, job.data);
    if (redemptionId) await restartDeadDelivery(tx, redemptionId);
    return { sourceJobId: job.source_id, requeued: requeued.length === 0 ? "new job" : "source" };
  });
}

/**
 * Cancels a job that has not run yet (pending or retrying), or dismisses a dead one. A running job
 * is left to finish: its worker would settle it as if nothing happened.
 */
export function cancelJob(
  db: Db,
  target: JobTarget,
  caller: Caller,
  context: Context = {},
): Promise<JobChange> {
  return changeJob(db, target, caller, context, "cancelled", async (tx, job) => {
    if (job.state === "active") {
      throw new AppError("not_cancellable", "The job is running: wait for its outcome");
    }
    if (!UNDONE.has(job.state)) throw new AppError("not_cancellable", "The job is over already");
    await tx.execute(sql`
      update ${JOB} set state = 'cancelled', completed_on = ${NOW}
      where name = ${job.name} and id = ${job.jobId} and state < 'active'`);
    // Without its job, a delivery under way would wait for ever: it is dead, for an admin.
    const redemptionId = job.name === job.queue ? redemptionOf(job.queue, job.data) : null;
    if (redemptionId) await buryDelivery(tx, redemptionId, "An admin cancelled its job");
    return {};
  });
}
