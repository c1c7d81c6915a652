import "server-only";
import pino, { type DestinationStream, type Logger } from "pino";
import { type LogLevel, logLevel } from "@/lib/config/env";

export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** The three things server code says; a child carries its bindings (`{ job: "anchoring" }`). */
export type Log = {
  /** A failure: the details (a database's error text and what caused it, a stack) stay here. */
  error(event: string, error: unknown, fields?: LogFields): void;
  /** Something that went wrong and was handled, worth an operator's look when it repeats. */
  warning(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  child(bindings: LogFields): Log;
};

/**
 * Field names whose values are secrets wherever they appear, at the top of a line or one level
 * down (`{ headers: { authorization } }`): a caller logging a whole object must not leak them.
 */
const SECRET_FIELDS = [
  "authorization",
  "cookie",
  "set-cookie",
  "password",
  "newPassword",
  "token",
  "secret",
  "otp",
  "code",
  "key",
  "privateKey",
  "apiKey",
];
const REDACT_PATHS = SECRET_FIELDS.flatMap((name) => [`["${name}"]`, `*["${name}"]`]);

/** `scheme://user:password@host` in any text: the credentials go, the rest stays readable. */
const URL_CREDENTIALS = /\/\/[^/@\s]*@/g;
/**
 * Drizzle's "Failed query" message ends with the statement's parameters: the values being written
 * (a password hash, a token's hash, an address, which may itself span lines). The statement says
 * which query failed; everything from the parameters on stays out of the logs.
 */
const QUERY_PARAMS = /\nparams: [\s\S]*$/;
const withoutCredentials = (text: string) => text.replace(URL_CREDENTIALS, "//***@");
const cleanMessage = (text: string) =>
  withoutCredentials(text).replace(QUERY_PARAMS, "\nparams: [redacted]");

/**
 * The stack's frames under the cleaned message: V8 starts a stack with `name: message`, which
 * carries whatever the message carries, so only the frames are taken from it.
 */
function cleanStack(error: Error, message: string): string | undefined {
  const { stack } = error;
  if (!stack) return undefined;
  const header = `${error.name}: ${error.message}`;
  const frames = stack.startsWith(header)
    ? stack.slice(header.length)
    : stack
        .split("\n")
        .filter((line) => /^\s+at /.test(line))
        .map((line) => `\n${line}`)
        .join("");
  return `${error.name}: ${message}${withoutCredentials(frames)}`;
}

type SerialisedError = {
  type: string;
  message: string;
  /** The driver's (or the system's) own code: a PostgreSQL SQLSTATE, ECONNREFUSED. */
  errorCode?: string;
  stack?: string;
  /** The messages of what caused it, outermost first (the driver's error under the ORM's, …). */
  causes: string[];
};

function summarise(error: unknown): { type: string; message: string; errorCode?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: cleanMessage(error.message),
    ...(typeof code === "string" ? { errorCode: code } : {}),
  };
}

export function serialiseError(error: unknown): SerialisedError {
  const causes: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  // Causes can form a cycle; five are more than any real chain has.
  while (cause !== undefined && causes.length < 5) {
    const { type, message } = summarise(cause);
    causes.push(`${type}: ${message}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const summary = summarise(error);
  const stack = error instanceof Error ? cleanStack(error, summary.message) : undefined;
  return { ...summary, stack, causes };
}

/**
 * JSON lines (`level` as a word, ISO `time`, the `event`) to `destination`, stderr by default:
 * stdout is for what scripts print for people. (Writes to stderr are synchronous on Linux, so a
 * line logged just before an exit is not lost.)
 */
export function createLogger(
  destination: DestinationStream = process.stderr,
  level: LogLevel = logLevel(),
): Logger {
  return pino(
    {
      level,
      messageKey: "event",
      errorKey: "err",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serialiseError },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    destination,
  );
}

export function logTo(logger: Logger): Log {
  return {
    error: (event, error, fields = {}) => logger.error({ ...fields, err: error }, event),
    warning: (event, fields = {}) => logger.warn(fields, event),
    info: (event, fields = {}) => logger.info(fields, event),
    child: (bindings) => logTo(logger.child(bindings)),
  };
}

let root: Log | undefined;

/** The process's log, made on first use (so LOG_LEVEL is read once the environment is set). */
export function log(): Log {
  root ??= logTo(createLogger());
  return root;
}

export const logError: Log["error"] = (event, error, fields) => log().error(event, error, fields);
export const logWarning: Log["warning"] = (event, fields) => log().warning(event, fields);
