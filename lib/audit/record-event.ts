import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { executePrepared } from "@/db/prepared";
import { normaliseAddress } from "@/lib/http/client-info";
import { toStorableText } from "@/lib/validation/storable-text";

export type RequestContext = {
  ip?: string | null;
  userAgent?: string | null;
  /** The request's id (see lib/http/request-id.ts), as in its log lines and response header. */
  requestId?: string | null;
};

export type AuditInput = {
  actorId?: string | null;
  action: string;
  subject?: string | null;
  outcome: "ok" | "refused" | "failed";
  reason?: string | null;
  /** Admin changes carry `{ before, after }`; other events what explains them. */
  data?: Record<string, unknown>;
  /** The API token the caller used, if any. */
  tokenId?: string | null;
} & RequestContext;

/**
 * Any text of an event may quote what a caller typed (the email of a failed sign-in, a reason, a
 * header, a key of its data). PostgreSQL cannot store a NUL character, nor an unpaired surrogate
 * in JSON; recording them as U+FFFD keeps the attempt on record instead of failing it.
 */
const storableOrNull = (text: string | null | undefined) => (text ? toStorableText(text) : null);

export function recordEvent(db: DbOrTx, event: AuditInput): Promise<void> {
  return recordEvents(db, [event]);
}

/**
 * Several events in one statement (a claim batch's attempts); nothing caller-given fails it.
 * Columns travel as arrays, so the statement's text is the same for any number of events and
 * stays prepared (db/prepared.ts).
 */
export async function recordEvents(db: DbOrTx, events: AuditInput[]): Promise<void> {
  if (events.length === 0) return;
  const column = <T>(f: (event: AuditInput) => T) => sql.param(events.map(f));
  await executePrepared(
    db,
    sql`
      insert into audit_events (actor_id, action, subject, outcome, reason, ip, user_agent, data,
                                token_id, request_id)
      select actor, action, subject, outcome, reason, ip::inet, agent, data::jsonb, token, request
      from unnest(${column((e) => e.actorId ?? null)}::uuid[],
                  ${column((e) => e.action)}::text[],
                  ${column((e) => storableOrNull(e.subject))}::text[],
                  ${column((e) => e.outcome)}::text[],
                  ${column((e) => storableOrNull(e.reason))}::text[],
                  ${column((e) => normaliseAddress(e.ip))}::text[],
                  ${column((e) => storableOrNull(e.userAgent?.slice(0, 500)))}::text[],
                  ${column((e) => (e.data ? storableJson(e.data) : null))}::text[],
                  ${column((e) => e.tokenId ?? null)}::uuid[],
                  ${column((e) => storableOrNull(e.requestId))}::text[])
        as t(actor, action, subject, outcome, reason, ip, agent, data, token, request)`,
  );
}

/**
 * The event's data as JSON text, its strings and its keys made storable (a key can be what a
 * caller sent too), a bigint written as its digits rather than failing JSON.stringify.
 */
function storableJson(data: Record<string, unknown>): string {
  return JSON.stringify(data, (_key, value: unknown) => {
    if (typeof value === "string") return toStorableText(value);
    if (typeof value === "bigint") return value.toString();
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.some(([key]) => toStorableText(key) !== key)) {
        return Object.fromEntries(entries.map(([key, v]) => [toStorableText(key), v]));
      }
    }
    return value;
  });
}
