/** The messages of an error and of its causes (a driver's error under the ORM's, …). */
function messages(error: unknown): string[] {
  const found: string[] = [];
  for (let e: unknown = error; e !== undefined && found.length < 5; ) {
    found.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return found;
}

/**
 * One JSON line on stderr per server-side failure: the details (a database's error text and
 * what caused it, a stack) are for the operator's logs, never for a response.
 */
export function logError(event: string, error: unknown, fields: LogFields = {}): void {
  const [message, ...causes] = messages(error);
  const stack = error instanceof Error ? error.stack : undefined;
  writeLine({ level: "error", event, ...fields, error: message, causes, stack });
}

type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Something that went wrong and was handled, worth an operator's look when it repeats. */
export function logWarning(event: string, fields: LogFields): void {
  writeLine({ level: "warn", event, ...fields });
}

function writeLine({ level, ...rest }: { level: string } & Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), ...rest })}\n`);
}
