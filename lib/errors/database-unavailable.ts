import { AppError } from "./app-error";

/**
 * Failures that mean "the database cannot answer right now", not "this request is wrong": the
 * primary died, is restarting, or a standby is being promoted. postgres.js names lost
 * connections with its own codes; the system names refused or reset sockets; PostgreSQL answers
 * class 08 (connection exception), 57P01-57P03 (shutting down, crashed, starting) and 25006 (a
 * write reached a server that is now read-only) while it changes hands.
 */
const driverCodes = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const sqlStates = new Set(["57P01", "57P02", "57P03", "25006"]);

/** Whether `error` (or what it wraps: drizzle wraps the driver's error as `cause`) is one of those. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let at = error, depth = 0; at && depth < 5; depth++) {
    const { code, cause } = at as { code?: unknown; cause?: unknown };
    if (typeof code === "string") {
      if (driverCodes.has(code) || sqlStates.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    at = cause;
  }
  return false;
}

/** Seconds a client waits before trying again: a promotion takes a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * The answer to such a failure: 503 `unavailable` with Retry-After. A claim whose commit was cut
 * off may or may not have been stored; the retry with the same Idempotency-Key finds out (the
 * stored answer, or a fresh judgment).
 */
export function databaseUnavailableError(): AppError {
  return new AppError("unavailable", "The service is briefly unavailable: try again in a moment", {
    retryAfter: DATABASE_RETRY_AFTER_SECONDS,
  });
}
