import "server-only";
import type { DbOrTx } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { normaliseAddress } from "@/lib/http/client-info";

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
 * Subjects and data may quote what a caller typed (the email of a failed sign-in). PostgreSQL
 * cannot store a NUL character, nor an unpaired surrogate in JSON; recording them as U+FFFD keeps
 * the attempt on record instead of failing it.
 */
const UNSTORABLE = /[\0\p{Cs}]/gu;
const storable = (text: string) => text.replace(UNSTORABLE, "\uFFFD");

export function recordEvent(db: DbOrTx, event: AuditInput): Promise<void> {
  return recordEvents(db, [event]);
}

/** Several events in one statement (a claim batch's attempts); nothing caller-given fails it. */
export async function recordEvents(db: DbOrTx, events: AuditInput[]): Promise<void> {
  if (events.length === 0) return;
  await db.insert(auditEvents).values(
    events.map((event) => ({
      actorId: event.actorId ?? null,
      action: event.action,
      subject: event.subject ? storable(event.subject) : null,
      outcome: event.outcome,
      reason: event.reason ?? null,
      ip: normaliseAddress(event.ip),
      userAgent: event.userAgent?.slice(0, 500) ?? null,
      data: event.data
        ? JSON.parse(JSON.stringify(event.data), (_key, value) =>
            typeof value === "string" ? storable(value) : value,
          )
        : null,
      tokenId: event.tokenId ?? null,
      requestId: event.requestId ?? null,
    })),
  );
}
