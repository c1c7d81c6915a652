import "server-only";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { ZodError, type z } from "zod";
import { currentUser, roleRefusal, type SessionUser } from "@/lib/auth/current-user";
import type { Role } from "@/lib/auth/model";
import { AppError, type ErrorCode, errorStatus, isAppError } from "@/lib/errors/app-error";
import { databaseUnavailableError, isDatabaseUnavailable } from "@/lib/errors/database-unavailable";
import { requestIdFrom } from "@/lib/http/request-id";
import { logError } from "@/lib/log";
import type { FormState } from "./form-state";

/** Who may call: anyone, any signed-in account, or these roles (admins and auditors with two-factor on). */
export type Allow = "anyone" | "signed-in" | readonly Role[];

type CallerRefusal = "unauthenticated" | "forbidden" | "two_factor_required";

export type ActionRules<I, A extends Allow> = {
  allow: A;
  /** What a caller who may not is told: one message for every reason, or one per reason. */
  refused?: string | Partial<Record<CallerRefusal, string>>;
  /** The schema the input must pass: a refusal here comes back as field errors. */
  schema?: z.ZodType<I>;
  /**
   * What `schema` parses: the form's fields and any arguments bound to the action; or a function
   * reading them, for input worth reading only once the caller is let in (an uploaded file).
   */
  input?: unknown;
  /** What the form shows again after a refusal. */
  values?: Record<string, string>;
  /** The input a zod issue's path (or an AppError's `details.field`) is shown beside. */
  fieldOf?: (path: readonly PropertyKey[]) => string | undefined;
  /** Domain refusals shown beside an input rather than atop the form. */
  errorFields?: Partial<Record<ErrorCode, string>>;
};

export type ActionCall<I, A extends Allow> = {
  /** The caller as checked; actions open to anyone do not look them up. */
  user: A extends "anyone" ? undefined : SessionUser;
  input: I;
};

/** What a failure the caller cannot act on is answered with: its details go to the log only. */
export const UNEXPECTED_ERROR = "Something went wrong on our side: try again";

const firstSegment = (path: readonly PropertyKey[]) =>
  path.length > 0 ? String(path[0]) : undefined;

/**
 * The one way a server action runs: it checks the caller (with the same rules as the API, read
 * afresh from the database, so a suspended account or an ended session counts as signed out),
 * parses the input, runs `handler`, and turns what it throws into the form's state: an
 * AppError's message and code, a ZodError's field errors, anything else a generic message with
 * the details logged. Next's own control flow (redirect(), notFound(), forbidden()…) passes
 * through. Each action calls it itself: authorisation lives in the action, not in middleware.
 */
export async function runAction<T = never, I = undefined, A extends Allow = Allow>(
  rules: ActionRules<I, A>,
  handler: (call: ActionCall<I, A>) => Promise<FormState<T>>,
): Promise<FormState<T>> {
  try {
    const user = rules.allow === "anyone" ? undefined : await currentUser();
    const refusal = callerRefusal(rules.allow, user);
    if (refusal) return { code: refusal.code, error: refusedMessage(rules.refused, refusal) };
    let input = undefined as I;
    if (rules.schema) {
      const raw = typeof rules.input === "function" ? await rules.input() : rules.input;
      const parsed = rules.schema.safeParse(raw);
      if (!parsed.success) return invalidState(parsed.error, rules);
      input = parsed.data;
    }
    return await handler({ user, input } as ActionCall<I, A>);
  } catch (error) {
    unstable_rethrow(error);
    if (isAppError(error)) return refusalState(error, rules);
    if (error instanceof ZodError) return invalidState(error, rules);
    logError("action_failed", error, { requestId: requestIdFrom(await headers()) });
    // A server action is a POST without an Idempotency-Key: whether it was applied is unknown.
    if (isDatabaseUnavailable(error)) return refusalState(databaseUnavailableError(false), rules);
    return { code: "internal", error: UNEXPECTED_ERROR, ...valuesOf(rules) };
  }
}

/**
 * For an action a bare button posts and no form reads the answer of (pause, retire, revoke…): a
 * refusal or failure is thrown, so the page's error boundary says the click did not work instead
 * of the page coming back unchanged as if it had. Refusals with an `ignored` code stay silent.
 */
export function throwIfRefused(state: FormState<unknown>, ...ignored: ErrorCode[]): void {
  const message = state.error ?? Object.values(state.fieldErrors ?? {}).find(Boolean);
  if (!message || ignored.some((code) => code === state.code)) return;
  const code = state.code && state.code in errorStatus ? (state.code as ErrorCode) : "internal";
  throw new AppError(code, message);
}

/** Why the caller may not call, if they may not: roles as requireRole checks them for the API. */
function callerRefusal(allow: Allow, user: SessionUser | undefined): AppError | undefined {
  if (allow === "anyone") return undefined;
  if (allow === "signed-in") {
    return user ? undefined : new AppError("unauthenticated", "Sign in first");
  }
  return roleRefusal(user, ...allow);
}

function refusedMessage(refused: ActionRules<unknown, Allow>["refused"], refusal: AppError) {
  if (typeof refused === "string") return refused;
  return refused?.[refusal.code as CallerRefusal] ?? refusal.message;
}

const valuesOf = (rules: ActionRules<unknown, Allow>) =>
  rules.values ? { values: rules.values } : {};

/** Field errors, the first message per input; an issue of no input is said atop the form. */
function invalidState<T>(error: ZodError, rules: ActionRules<unknown, Allow>): FormState<T> {
  const fieldOf = rules.fieldOf ?? firstSegment;
  const fieldErrors: Record<string, string> = {};
  let formError: string | undefined;
  for (const issue of error.issues) {
    const field = fieldOf(issue.path);
    if (field === undefined) formError ??= issue.message;
    else fieldErrors[field] ??= issue.message;
  }
  return {
    code: "invalid_input",
    ...(formError === undefined ? {} : { error: formError }),
    ...(Object.keys(fieldErrors).length > 0 ? { fieldErrors } : {}),
    ...valuesOf(rules),
  };
}

/** A domain refusal in words: beside the input it names, or atop the form. */
function refusalState<T>(error: AppError, rules: ActionRules<unknown, Allow>): FormState<T> {
  const named = error.details?.field;
  const field =
    rules.errorFields?.[error.code] ??
    (typeof named === "string" ? (rules.fieldOf ?? firstSegment)([named]) : undefined);
  const reason = error.details?.reason;
  return {
    code: error.code,
    ...(typeof reason === "string" ? { reason } : {}),
    ...(field === undefined
      ? { error: error.message }
      : { fieldErrors: { [field]: error.message } }),
    ...valuesOf(rules),
  };
}
