/**
 * Per-statement figures of the app's database for `bench:claims --statements N`: which queries
 * PostgreSQL ran for each claim, the claim request's and the worker's alike (pg_stat_statements,
 * nested statements of triggers and functions included), and how long they took.
 */
import postgres from "postgres";
import { startEmbeddedPostgres } from "../lib/embedded-postgres";
import { fmt } from "./measure";

export type StatementRow = {
  query: string;
  calls: number;
  ms: number;
  planMs: number;
  rows: number;
};

/**
 * Initialises the app's cluster in `dir` with pg_stat_statements preloaded, before the app starts
 * on it: a preloaded library needs a server start, and the app's own start finds the setting in
 * postgresql.auto.conf.
 */
export async function preloadStatements(dir: string, port: number): Promise<void> {
  const server = await startEmbeddedPostgres(dir, port);
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await sql`alter system set shared_preload_libraries = 'pg_stat_statements'`;
    // Statements run by triggers and plpgsql functions count too, not only what clients sent.
    await sql`alter system set pg_stat_statements.track = 'all'`;
    // Planning too: statements sent unprepared (pg-boss's) are planned on every call.
    await sql`alter system set pg_stat_statements.track_planning = on`;
  } finally {
    await sql.end();
    await server.stop();
  }
}

/** Creates the view in the app's database (after the app started) and zeroes the counters. */
export async function resetStatements(sql: postgres.Sql): Promise<void> {
  await sql`create extension if not exists pg_stat_statements`;
  await sql`select pg_stat_statements_reset()`;
}

/** Every statement since the last reset, most execution time first. */
export async function readStatements(sql: postgres.Sql): Promise<StatementRow[]> {
  const rows = await sql<
    Array<{ query: string; calls: string; ms: number; planMs: number; rows: string }>
  >`
    select query, sum(calls)::text as calls, sum(total_exec_time)::float8 as ms,
           sum(total_plan_time)::float8 as "planMs", sum(rows)::text as rows
    from pg_stat_statements
    where query not like '%pg_stat_statements%' and query not like '%pg_stat_activity%'
    group by query
    order by 3 desc`;
  return rows.map((r) => ({ ...r, calls: Number(r.calls), rows: Number(r.rows) }));
}

/** The top `limit` statements of one column, per claim: calls, milliseconds, rows. */
export function printStatements(
  name: string,
  rows: StatementRow[],
  claims: number,
  limit: number,
): void {
  const totalMs = rows.reduce((sum, r) => sum + r.ms, 0);
  const totalPlanMs = rows.reduce((sum, r) => sum + r.planMs, 0);
  const totalCalls = rows.reduce((sum, r) => sum + r.calls, 0);
  console.log(
    `\n${name}: statements per claim (pg_stat_statements, nested included, ${claims} claims): ` +
      `${fmt(totalCalls / claims, 1)} calls, ${fmt(totalMs / claims, 3)} ms of execution ` +
      `and ${fmt(totalPlanMs / claims, 3)} ms of planning ` +
      "(a nested statement's time is in its caller's too)",
  );
  console.log(
    `${"calls".padStart(8)}${"ms".padStart(8)}${"plan ms".padStart(8)}${"rows".padStart(8)}  query`,
  );
  for (const r of rows.slice(0, limit)) {
    const query = r.query.replace(/\s+/g, " ").slice(0, 110);
    console.log(
      `${fmt(r.calls / claims, 2).padStart(8)}${fmt(r.ms / claims, 3).padStart(8)}` +
        `${fmt(r.planMs / claims, 3).padStart(8)}` +
        `${fmt(r.rows / claims, 2).padStart(8)}  ${query}`,
    );
  }
}

/**
 * Stops the worker's processes (SIGSTOP) at a moment none of the database's sessions is inside a
 * transaction or a statement, so the stopped worker holds no lock a claim could wait for.
 */
export async function pauseWorker(sql: postgres.Sql, pids: number[]): Promise<void> {
  if (pids.length === 0) throw new Error("paused: no worker process found");
  for (let attempt = 0; attempt < 200; attempt++) {
    for (const pid of pids) process.kill(pid, "SIGSTOP");
    const [busy] = await sql<[{ n: number }]>`
      select count(*)::int as n from pg_stat_activity
      where pid <> pg_backend_pid() and backend_type = 'client backend'
        and state in ('active', 'idle in transaction', 'idle in transaction (aborted)')`;
    if (busy?.n === 0) return;
    resumeWorker(pids);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("paused: the worker never stood outside a transaction");
}

export function resumeWorker(pids: number[]): void {
  for (const pid of pids) process.kill(pid, "SIGCONT");
}

/**
 * Waits until the jobs the claims made are done: the outbox relayed and no delivery, mail,
 * webhook or push job waiting or running (a dead-letter queue's jobs wait for an admin, not for
 * the worker). False when that took longer than `timeoutMs`.
 */
export async function waitForJobs(sql: postgres.Sql, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // exists, not count: this poll runs through the drain and its cost is in the figures.
    const [row] = await sql<[{ busy: boolean }]>`
      select exists (select 1 from job_outbox)
          or exists (select 1 from pgboss.job
                     where state in ('created', 'retry', 'active') and start_after <= now()
                       and name not like '%\\_dead')
          as busy`;
    if (row && !row.busy) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}
