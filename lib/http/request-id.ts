import { env } from "@/lib/config/env";

/** The header a request's id travels in: to route handlers and pages, and back on the response. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * What an id may look like: short, and only characters that need no escaping in a log line, a
 * header or a CSV cell. A header outside it (a list, a newline, 10 kB of text) is not an id.
 */
const WELL_FORMED = /^[A-Za-z0-9._-]{1,64}$/;

export function isWellFormedRequestId(value: string | null | undefined): value is string {
  return typeof value === "string" && WELL_FORMED.test(value);
}

/**
 * The id of a request as it enters the app (in proxy.ts, or a route handler's wrapper): the one a
 * trusted proxy put in REQUEST_ID_HEADER when configured and well formed, otherwise a fresh one.
 * Whatever a client wrote itself is never taken, so no one can give their requests another's id.
 */
export function incomingRequestId(
  headers: Headers,
  trustedHeader: string | undefined = env().REQUEST_ID_HEADER,
): string {
  const offered = trustedHeader ? headers.get(trustedHeader) : null;
  return isWellFormedRequestId(offered) ? offered : crypto.randomUUID();
}

/**
 * The id the entry point gave this request (it always overwrites the header). Missing or
 * malformed means the request did not pass one, which is a bug: a fresh id keeps its logs apart.
 */
export function requestIdFrom(headers: Headers): string {
  const id = headers.get(REQUEST_ID_HEADER);
  return isWellFormedRequestId(id) ? id : crypto.randomUUID();
}
