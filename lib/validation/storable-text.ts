import { z } from "zod";

/**
 * PostgreSQL text cannot hold a NUL character: a statement carrying one fails, which would answer a
 * form or API call with a server error. Text fields refuse it as invalid input instead:
 * `z.string().refine(withoutNul, NUL_MESSAGE)`.
 */
export function withoutNul(text: string): boolean {
  return !text.includes("\u0000");
}

export const NUL_MESSAGE = "Contains a NUL character";

/** Trimmed text PostgreSQL can store: a NUL character would fail the query, not match nothing. */
export const plainText = (max: number) =>
  z.string().trim().max(max, `At most ${max} characters`).refine(withoutNul, NUL_MESSAGE);

const UNSTORABLE = /[\0\p{Cs}]/gu;

/**
 * Text PostgreSQL can store, for what must be kept rather than refused (an audit event, a
 * processor's webhook): a NUL character, or an unpaired surrogate (which JSON cannot carry into
 * jsonb), becomes U+FFFD.
 */
export function toStorableText(text: string): string {
  return text.replace(UNSTORABLE, "\uFFFD");
}
