import type { DbOrTx } from "@/db/client";
import { auditEvents } from "@/db/schema";

export type RequestContext = { ip?: string | null; userAgent?: string | null };

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

const IPV4_OR_6 = /^[0-9a-fA-F:.]{2,45}$/;

/**
 * Subjects and data may quote what a caller typed (the email of a failed sign-in). PostgreSQL
 * cannot store a NUL character, nor an unpaired surrogate in JSON; recording them as U+FFFD keeps
 * the attempt on record instead of failing it.
 */
const UNSTORABLE = /[\0\p{Cs}]/gu;
const storable = (text: string) => text.replace(UNSTORABLE, "\uFFFD");

export async function recordEvent(db: DbOrTx, event: AuditInput): Promise<void> {
  await db.insert(auditEvents).values({
    actorId: event.actorId ?? null,
    action: event.action,
    subject: event.subject ? storable(event.subject) : null,
    outcome: event.outcome,
    reason: event.reason ?? null,
    // The inet column rejects anything that is not an address; a spoofed header must not fail the write.
    ip: event.ip && IPV4_OR_6.test(event.ip) ? event.ip : null,
    userAgent: event.userAgent?.slice(0, 500) ?? null,
    data: event.data
      ? JSON.parse(JSON.stringify(event.data), (_key, value) =>
          typeof value === "string" ? storable(value) : value,
        )
      : null,
    tokenId: event.tokenId ?? null,
  });
}
