import type { ZodError } from "zod";

/** A form's field errors from a zod failure: the first message per top-level field. */
export function fieldErrorsOf(error: ZodError): Record<string, string> {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) {
    fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
  }
  return fieldErrors;
}
