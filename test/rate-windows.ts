import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

// Rate limits count hits in fixed windows aligned on multiples of their length by the database
// clock. A run of hits that straddles a boundary is split between two counters, so what a test
// can count on holds per window, never for a run that happened to cross one.

async function windowNow(db: Db, windowSeconds: number): Promise<number> {
  const [row] = await db.execute<{ w: string }>(
    sql`select floor(extract(epoch from now()) / ${windowSeconds}::int)::bigint::text as w`,
  );
  return Number(row?.w);
}

/**
 * Runs `run` until one run starts and ends inside one window of `windowSeconds`, and returns what
 * that run returned; `run` must use subjects of its own each time (a fresh account, say), since
 * an abandoned run leaves its hits counted. Assert on the result, not inside `run`.
 */
export async function inOneWindow<T>(
  db: Db,
  windowSeconds: number,
  run: () => Promise<T>,
): Promise<T> {
  for (let tries = 0; tries < 3; tries++) {
    const before = await windowNow(db, windowSeconds);
    const result = await run();
    if ((await windowNow(db, windowSeconds)) === before) return result;
  }
  throw new Error(`three runs in a row crossed a boundary of ${windowSeconds}-second windows`);
}

export type WindowAnswers = { attempts: number; claimed: number; rateLimited: number };

/**
 * A drop's claim answers grouped by the rate-limit window they fell in. The audit event is
 * written in the claim's own transaction, so its time is the very clock reading the limit
 * counted by.
 */
export async function claimAnswersByWindow(
  db: Db,
  dropId: string,
  windowSeconds: number,
): Promise<WindowAnswers[]> {
  const rows = await db.execute<WindowAnswers>(sql`
    select count(*)::int as attempts, count(*) filter (where outcome = 'ok')::int as claimed,
           count(*) filter (where reason = 'rate_limited')::int as "rateLimited"
    from (select floor(extract(epoch from at) / ${windowSeconds}::int) as w, outcome, reason
          from audit_events where action = 'claim' and subject = ${`drop:${dropId}`}) as answers
    group by w order by w`);
  return rows.map((r) => ({
    attempts: Number(r.attempts),
    claimed: Number(r.claimed),
    rateLimited: Number(r.rateLimited),
  }));
}
