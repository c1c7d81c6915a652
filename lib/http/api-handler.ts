import "server-only";
import { NextResponse } from "next/server";
import { ZodError } from "zod";
import type { RequestContext } from "@/lib/audit/record-event";
import { AppError, type ErrorCode } from "@/lib/errors/app-error";
import {
  databaseUnavailableError,
  isDatabaseUnavailable,
  isRetrySafe,
} from "@/lib/errors/database-unavailable";
import { logError } from "@/lib/log";
import { recordApiRequest } from "@/lib/metrics/web-metrics";
import { clientInfo } from "./client-info";
import { incomingRequestId, REQUEST_ID_HEADER, requestIdFrom } from "./request-id";

export function errorResponse(
  code: ErrorCode | string,
  message: string,
  status: number,
  extra?: Record<string, unknown>,
): NextResponse {
  return NextResponse.json({ error: { code, message, ...extra } }, { status });
}

function toResponse(error: unknown, request: Request): NextResponse {
  const requestId = requestIdFrom(request.headers);
  if (error instanceof AppError) {
    const response = errorResponse(error.code, error.message, error.status, error.details);
    const retryAfter = error.details?.retryAfter;
    if (typeof retryAfter === "number") response.headers.set("retry-after", String(retryAfter));
    return response;
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.join(".") || undefined;
    return errorResponse(
      "invalid_input",
      field ? `${field}: ${issue?.message}` : (issue?.message ?? "Invalid input"),
      400,
      field ? { field } : undefined,
    );
  }
  if (isDatabaseUnavailable(error)) {
    // A failover or restart in progress: the client is to try again, not to report a bug.
    logError("database_unavailable", error, { requestId });
    return toResponse(databaseUnavailableError(isRetrySafe(request)), request);
  }
  logError("unhandled_api_error", error, { requestId });
  // The id lets a caller quote the failure, and an operator find its log line.
  return errorResponse("internal", "Something went wrong on our side", 500, { requestId });
}

/** The largest JSON body the API reads; bigger ones are refused before they are buffered. */
export const MAX_JSON_BYTES = 64 * 1024;

/**
 * The body as UTF-8 text, refused with 413 as soon as it outgrows `maxBytes`: first by its
 * declared Content-Length, then while streaming, so an oversized body is never held in memory.
 */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const bytes = await readBodyBytes(request, maxBytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("bad_request", "Request body is not valid UTF-8");
  }
}

/** The body's bytes exactly as received (what a webhook's signature covers), up to `maxBytes`. */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new AppError("payload_too_large", `Request body is larger than ${maxBytes} bytes`);
  if (Number(request.headers.get("content-length")) > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    // Leaving the loop early cancels the stream, so the rest of the body is never read.
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks);
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Whether a request's declared Content-Type is JSON (`application/json` or `application/*+json`). */
export function isJsonContentType(request: Request): boolean {
  return JSON_TYPE.test(request.headers.get("content-type") ?? "");
}

/**
 * `curl -d` declares this type unless told otherwise, and the README's examples long relied on
 * it: such a body is still read as JSON, so those clients keep working.
 */
const CURL_DEFAULT_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/**
 * Reads a JSON object body of at most 64 KiB. An empty body is `{}`; a body declared as another
 * type than JSON is 415 (one declared as nothing, or as curl's default, is read as JSON); a body
 * that is not JSON, or whose top level is not an object, is 400.
 */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const declared = request.headers.get("content-type");
  const text = await readBody(request, MAX_JSON_BYTES);
  if (text.trim() === "") return {};
  if (declared !== null && !isJsonContentType(request) && !CURL_DEFAULT_TYPE.test(declared)) {
    throw new AppError("unsupported_media_type", "Send the request body as application/json");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "Request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AppError("bad_request", "Request body must be a JSON object");
  }
  refuseUnstorableText(value);
  return value as Record<string, unknown>;
}

/**
 * PostgreSQL cannot store a NUL character in text, nor an unpaired UTF-16 surrogate in JSON (JSON
 * escapes can carry both), and no honest input needs either: such input is refused as invalid,
 * naming the field, instead of failing in the database.
 */
function refuseUnstorableText(value: unknown, field = ""): void {
  // With the u flag a surrogate pair is one code point, so \p{Cs} matches unpaired halves only.
  const bad = (text: string) => /[\0\p{Cs}]/u.test(text);
  if (typeof value === "string") {
    if (bad(value)) {
      throw new AppError(
        "invalid_input",
        `${field || "input"}: text may not contain NUL characters or unpaired surrogates`,
        field ? { field } : undefined,
      );
    }
    return;
  }
  if (typeof value !== "object" || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    const path = field ? `${field}.${key}` : key;
    if (bad(key)) refuseUnstorableText(key, path);
    refuseUnstorableText(inner, path);
  }
}

type Handler<C, R extends Request = Request> = (request: R, context: C) => Promise<Response>;

/**
 * Gives an API request its id, as proxy.ts does for pages (which the proxy skips /api for): the
 * request's header is overwritten, so whatever reads it downstream (clientInfo, Auth.js's copy
 * of the request) sees this id and never one a client wrote, and the response returns it.
 */
export function withRequestId<C, R extends Request>(handler: Handler<C, R>): Handler<C, R> {
  return async (request, context) => {
    const requestId = incomingRequestId(request.headers);
    request.headers.set(REQUEST_ID_HEADER, requestId);
    return withHeader(await handler(request, context), REQUEST_ID_HEADER, requestId);
  };
}

/** The response with one header set. */
function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    // A redirect's headers are immutable: the same answer, in a response whose are not.
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}

/**
 * For public data another origin's page reads (another operator's /verify checks this log from
 * the auditor's browser): every answer, errors and 429s included, may be read from any origin,
 * so that a failure there reads as what it is, not as a blocked request.
 */
export function readableFromAnyOrigin<C, R extends Request>(handler: Handler<C, R>): Handler<C, R> {
  return async (request, context) =>
    withHeader(await handler(request, context), "access-control-allow-origin", "*");
}

/**
 * For answers a shared cache may keep (Cache-Control: public): the cache would hand one request's
 * id to every later client, so those go out without it. Errors and other private answers keep it.
 */
export function withoutSharedRequestId<C, R extends Request>(
  handler: Handler<C, R>,
): Handler<C, R> {
  return async (request, context) => {
    const response = await handler(request, context);
    if (/\bpublic\b/.test(response.headers.get("cache-control") ?? "")) {
      response.headers.delete(REQUEST_ID_HEADER);
    }
    return response;
  };
}

/**
 * Wraps a route handler so every failure becomes the API's error body with a fitting status, and
 * its handling time is measured by route template and status.
 */
export function apiRoute<C>(handler: Handler<C>): Handler<C> {
  return withRequestId(async (request, context) => {
    const startedAt = performance.now();
    let response: Response;
    try {
      response = await handler(request, context);
    } catch (error) {
      response = toResponse(error, request);
    }
    void recordApiRequest(request, context, response.status, startedAt);
    return response;
  });
}

export function requestContext(request: Request): RequestContext {
  return clientInfo(request.headers);
}
