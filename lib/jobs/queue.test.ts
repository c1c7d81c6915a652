import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { connectTestDb, testDatabaseUrl } from "@/test/db";
import { startTestJobQueue } from "@/test/jobs";
import { jobDatabase, QUEUES } from "./queue";

const db = connectTestDb();

/**
 * The shortest time a job's retries can span: pg-boss's backoff (plans.js) waits, after a try
 * with retry_count n, between half and all of retryDelay·2^(n+1) seconds, capped at retryDelayMax.
 */
function shortestRetrySpanHours(queue: (typeof QUEUES)[keyof typeof QUEUES]): number {
  let seconds = 0;
  for (let n = 0; n < queue.retryLimit; n++) {
    seconds += Math.min(queue.retryDelayMax, (queue.retryDelay * 2 ** Math.min(16, n + 1)) / 2);
  }
  return seconds / 3600;
}

describe("the queues' retries", () => {
  it("keep trying a webhook and a mail for at least a day, as promised", () => {
    expect(shortestRetrySpanHours(QUEUES.webhook)).toBeGreaterThanOrEqual(24);
    expect(shortestRetrySpanHours(QUEUES.mail)).toBeGreaterThanOrEqual(24);
  });

  it("keep trying a push for at least two hours", () => {
    expect(shortestRetrySpanHours(QUEUES.push)).toBeGreaterThanOrEqual(2);
  });

  it("give a delivery over 20 minutes of provider outage before it is dead", () => {
    expect(shortestRetrySpanHours(QUEUES.delivery) * 60).toBeGreaterThan(20);
  });
});

describe("the job queue on its postgres.js pool", () => {
  it("runs pg-boss's maintenance, each pass one BEGIN … COMMIT text", async () => {
    const boss = await startTestJobQueue(db);
    const errors: unknown[] = [];
    boss.on("error", (error) => errors.push(error));
    try {
      await boss.send("mail", { probe: 1 });
      // postgres.js refuses such a BEGIN on a shared pool connection: the text runs on a
      // connection reserved for it.
      await expect(boss.supervise()).resolves.toBeUndefined();
      expect(errors).toEqual([]);
      const jobs = await boss.findJobs<{ probe?: number }>("mail");
      expect(jobs.map((job) => job.data.probe)).toEqual([1]);
    } finally {
      await boss.stop({ graceful: false });
    }
  });
});

describe("pg-boss's database interface", () => {
  it("hands back no connection in an aborted transaction after a text fails", async () => {
    // One connection: the text's and the next statement's are the same one.
    const sql = postgres(testDatabaseUrl(db), { max: 1, prepare: false, onnotice: () => {} });
    try {
      const jobs = jobDatabase(sql);
      await expect(jobs.executeSql("BEGIN; SELECT 1/0; COMMIT;")).rejects.toMatchObject({
        code: "22012",
      });
      await expect(jobs.executeSql("SELECT 1 AS one")).resolves.toEqual({ rows: [{ one: 1 }] });
    } finally {
      await sql.end();
    }
  });
});
