import type { AuditEventView } from "./model";

/**
 * Spreadsheets run a cell that starts with one of these as a formula (CSV injection); a leading
 * apostrophe makes them show it as text instead.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field (RFC 4180): quoted when it holds a quote, comma or line break; formulas defused. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated as RFC 4180 asks. */
export function csvRecord(values: Array<string | number | null | undefined>): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

export const AUDIT_CSV_HEADER = [
  "id",
  "at",
  "actor_id",
  "actor_email",
  "action",
  "subject",
  "outcome",
  "reason",
  "ip",
  "user_agent",
  "token_id",
  "request_id",
  "data",
];

export function auditEventRecord(event: AuditEventView): string {
  return csvRecord([
    event.id,
    event.at,
    event.actor?.id,
    event.actor?.email,
    event.action,
    event.subject,
    event.outcome,
    event.reason,
    event.ip,
    event.userAgent,
    event.tokenId,
    event.requestId,
    event.data ? JSON.stringify(event.data) : null,
  ]);
}

/** The events as a CSV byte stream, pulled one record at a time: never the whole export in memory. */
export function auditCsvStream(events: AsyncIterable<AuditEventView>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvRecord(AUDIT_CSV_HEADER)));
        return;
      }
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(auditEventRecord(next.value)));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
