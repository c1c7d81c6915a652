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
 * The answer to such a failure: 503 `unavailable` with Retry-After. A claim whose commit was cut
 * off may or may not have been stored; the retry with the same Idempotency-Key finds out (the
 * stored answer, or a fresh judgment).
 */
export function databaseUnavailableError(): AppError {
  return new AppError("unavailable", "The service is briefly unavailable: try again in a moment", {
    retryAfter: DATABASE_RETRY_AFTER_SECONDS,
  });
}
