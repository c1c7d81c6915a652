import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { revokeAllApiTokens } from "@/lib/auth/api-tokens";

/** Whether a statement of this test's database is waiting for a row lock. */
export async function waitingOnLock(db: Db): Promise<boolean> {
  const rows = await db.execute<{ waiting: number }>(
    sql`select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`,
  );
  return (rows[0]?.waiting ?? 0) > 0;
}

/** The first backend of this database waiting on a lock that backend `holder` holds. */
export async function waiterOf(db: Db, holder: number): Promise<number> {
  for (;;) {
    const [row] = await db.execute<{ pid: number }>(
      sql`select pid from pg_stat_activity where ${holder}::int = any(pg_blocking_pids(pid)) limit 1`,
    );
    if (row) return row.pid;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Runs `attempt` while a password reset of the account is written but not committed (the session
 * version bumped, every token revoked), waits until the attempt queues on the account's row lock
 * and only then commits the reset: the order a check without a lock loses, set up without timing.
 * Returns "done" or the code of the error the attempt threw. An attempt that finishes without
 * ever waiting did not lock the row, and that throws.
 */
export async function attemptDuringReset(
  db: Db,
  userId: string,
  attempt: () => Promise<unknown>,
): Promise<string | undefined> {
  const { outcome } = await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, userId));
    let finished = false;
    const outcome = attempt()
      .then(
        () => "done",
        (error: { code?: string }) => error.code,
      )
      .finally(() => {
        finished = true;
      });
    while (!(await waitingOnLock(db))) {
      if (finished) throw new Error("the attempt went through without waiting for the reset");
    }
    await revokeAllApiTokens(tx, userId);
    // Wrapped: returning the promise itself would make the commit wait for it, and it for the commit.
    return { outcome };
  });
  return outcome;
}
