import { AppError } from "./app-error";

/**
 * Failures that mean "the database cannot answer right now", not "this request is wrong": the
 * primary died, is restarting, or a standby is being promoted. postgres.js names lost
 * connections with its own codes; the system names refused or reset sockets; PostgreSQL answers
 * class 08 (connection exception), 57P01-57P03 (shutting down, crashed, starting) and 25006 (a
 * write reached a server that is now read-only) while it changes hands. 08P01 (protocol
 * violation) is left out: it means a bug in the client, which no retry mends.
 */
const driverCodes = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);
const socketCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const sqlStates = new Set(["57P01", "57P02", "57P03", "25006"]);

/**
 * Whether a failure with `code` is the database's. A socket code alone is not: fetch, viem and
 * SMTP fail with the same ones, and a provider or chain node that is down is no failover. It
 * counts only on the error postgres.js rejected a query with, which carries that query.
 */
function isDatabaseCode(code: string, error: object): boolean {
  if (driverCodes.has(code) || sqlStates.has(code)) return true;
  if (/^08[0-9A-Z]{3}$/.test(code)) return code !== "08P01";
  return socketCodes.has(code) && "query" in error && "parameters" in error;
}

/** Whether `error` (or what it wraps: drizzle wraps the driver's error as `cause`) is one of those. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let at = error, depth = 0; at && typeof at === "object" && depth < 5; depth++) {
    const { code, cause } = at as { code?: unknown; cause?: unknown };
    if (typeof code === "string" && isDatabaseCode(code, at)) return true;
    at = cause;
  }
  return false;
}

/** Seconds a client waits before trying again: a promotion takes a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * The answer to such a failure: 503 `unavailable`. A request that is safe to send again (a read,
 * or a write with an Idempotency-Key, whose retry finds the stored answer or a fresh judgment)
 * gets Retry-After. A write without a key may have been committed just before the connection was
 * cut off: it is told so (`details.outcome: "unknown"`) and gets no Retry-After, since sending
 * it again could apply it twice.
 */
export function databaseUnavailableError(retrySafe: boolean): AppError {
  if (retrySafe) {
    return new AppError(
      "unavailable",
      "The service is briefly unavailable: try again in a moment",
      {
        retryAfter: DATABASE_RETRY_AFTER_SECONDS,
      },
    );
  }
  return new AppError("unavailable", OUTCOME_UNKNOWN_MESSAGE, { outcome: "unknown" });
}

/** The words for a write cut off with the database: the caller checks before doing it again. */
export const OUTCOME_UNKNOWN_MESSAGE =
  "The service is briefly unavailable, and your request may have been applied: check before trying again";

/** Whether a request can be sent again without applying it twice: a read, or a keyed write. */
export function isRetrySafe(request: Request): boolean {
  return (
    request.method === "GET" ||
    request.method === "HEAD" ||
    Boolean(request.headers.get("idempotency-key"))
  );
}
