import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { deadLetterQueue, JOB_SCHEMA, type QueueName } from "./queue";

/**
 * Marks a queue's dead letters matching `where` done, once what they stood for is queued again (a
 * retried job, a delivery an admin restarted), so none is left looking dead. In the caller's
 * transaction, with pg-boss's own way of completing a job.
 */
export async function settleDeadLetters(tx: Tx, queue: QueueName, where: SQL): Promise<void> {
  await tx.execute(sql`
    update ${sql.raw(`${JOB_SCHEMA}.job`)}
    set state = 'completed', completed_on = ${sql.raw(`${JOB_SCHEMA}.job_now()`)},
        output = jsonb_build_object('settled', 'retried by an admin')
    where name = ${deadLetterQueue(queue)} and state < 'completed' and ${where}`);
}
