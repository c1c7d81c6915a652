import "server-only";
import { NextResponse } from "next/server";
import { ZodError } from "zod";
import type { RequestContext } from "@/lib/audit/record-event";
import { AppError, type ErrorCode } from "@/lib/errors/app-error";
import { clientInfo } from "./client-info";

export function errorResponse(
  code: ErrorCode | string,
  message: string,
  status: number,
  extra?: Record<string, unknown>,
): NextResponse {
  return NextResponse.json({ error: { code, message, ...extra } }, { status });
}

function toResponse(error: unknown): NextResponse {
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
  console.error("unhandled API error", error);
  return errorResponse("internal", "Something went wrong on our side", 500);
}

/** Reads a JSON body (at most 64 KiB), answering 400 for anything that is not a JSON object. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 65_536) throw new AppError("bad_request", "Request body is too large");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "Request body is not valid JSON");
  }
}

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/** Wraps a route handler so every failure becomes the API's error body with a fitting status. */
export function apiRoute<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return toResponse(error);
    }
  };
}

export function requestContext(request: Request): RequestContext {
  return clientInfo(request.headers);
}
