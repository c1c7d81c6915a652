import "server-only";
import type postgres from "postgres";

/** Rejects with `reason` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(reason)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A read that scrapes share: one in flight at a time, its answer (or its failure) reused for
 * `maxAgeMs`, and given up after `timeoutMs`. However often Prometheus, or anyone who reaches
 * the listener, asks, the database sees at most one read per `maxAgeMs`.
 */
export function boundedSnapshot<T>(
  read: () => Promise<T>,
  { maxAgeMs = 1_000, timeoutMs = 2_000 } = {},
): () => Promise<T> {
  let last: { promise: Promise<T>; settledAt?: number } | undefined;
  return () => {
    const fresh =
      last && (last.settledAt === undefined || performance.now() - last.settledAt < maxAgeMs);
    if (last && fresh) return last.promise;
    const current: { promise: Promise<T>; settledAt?: number } = {
      promise: withTimeout(read(), timeoutMs, `no answer within ${timeoutMs} ms`),
    };
    const settle = () => {
      current.settledAt = performance.now();
    };
    current.promise.then(settle, settle);
    last = current;
    return current.promise;
  };
}

/**
 * `read` in a transaction of its own whose statements the server cuts at `ms`. Set per
 * transaction (`set local`), never as a connection's startup parameter, which PgBouncer refuses;
 * and cut by the server, so a read the scrape gave up on does not go on holding the connection.
 */
export async function readWithin<T>(
  sql: postgres.Sql,
  ms: number,
  read: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return (await sql.begin(async (tx) => {
    await tx`select set_config('statement_timeout', ${String(ms)}, true)`;
    return read(tx);
  })) as T;
}
