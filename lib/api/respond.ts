import { NextResponse } from "next/server";
import type { z } from "zod";

/** What JSON.stringify turns into a schema's output: a Date wherever plain text is expected. */
export type Sendable<T> = T extends string
  ? string extends T
    ? T | Date
    : T
  : T extends readonly (infer U)[]
    ? readonly Sendable<U>[]
    : T extends object
      ? { [K in keyof T]: Sendable<T[K]> }
      : T;

/**
 * A JSON answer whose body tsc checks against the response schema the API document gives for it,
 * so the two cannot drift apart unnoticed.
 */
export function respond<S extends z.ZodType>(
  _schema: S,
  body: Sendable<z.output<S>>,
  init?: ResponseInit,
): NextResponse {
  return NextResponse.json(body, init);
}
