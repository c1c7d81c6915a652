import { and, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { auditEvents, users } from "@/db/schema";
import { plainText } from "@/lib/validation/storable-text";

/** Turns the "" of an empty form field or query parameter into "not given". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

/** Dates PostgreSQL and JavaScript agree on. */
const moment = z.coerce
  .date({ error: "Enter a date and time" })
  .min(new Date("1970-01-01T00:00:00Z"), "Too early")
  .max(new Date("9999-12-31T23:59:59Z"), "Too late");

export const outcomes = ["ok", "refused", "failed"] as const;

/** The filters of the audit page, the API and the CSV export (all optional). */
export const auditFilterSchema = z.object({
  /** An account id, or an email address (exact, any case). */
  actor: optional(plainText(254)),
  action: optional(plainText(64)),
  outcome: optional(z.enum(outcomes, { error: "Outcome is ok, refused or failed" })),
  /** A reason code or its prefix: `not_eligible` finds every `not_eligible:…`. */
  reason: optional(plainText(100)),
  /** Exact, e.g. `user:<id>` or `drop:<id>`. */
  subject: optional(plainText(200)),
  /** An address or a network (CIDR). */
  ip: optional(
    z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
      error: "Enter an IP address or a network such as 10.0.0.0/8",
    }),
  ),
  from: optional(moment),
  to: optional(moment),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const auditPageSchema = z.object({
  /** The id of the last event of the previous page. */
  cursor: optional(z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)),
  limit: optional(z.coerce.number().int().min(1).max(500)),
});

export type AuditEventView = {
  id: number;
  at: string;
  actor: { id: string; email: string; displayName: string } | null;
  action: string;
  subject: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  tokenId: string | null;
  data: Record<string, unknown> | null;
};

const UUID = z.uuid();

/** Matches LIKE's own characters literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The WHERE conditions of a filter; undefined when it can match nothing (an unknown email). */
async function conditions(
  db: DbOrTx,
  filter: AuditFilter & { actions?: string[] },
): Promise<SQL[] | undefined> {
  const out: SQL[] = [];
  if (filter.actor) {
    let actorId: string | undefined = filter.actor;
    if (!UUID.safeParse(filter.actor).success) {
      const [user] = await db
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.email}) = ${filter.actor.toLowerCase()}`);
      actorId = user?.id;
    }
    if (!actorId) return undefined;
    out.push(eq(auditEvents.actorId, actorId));
  }
  if (filter.action) out.push(eq(auditEvents.action, filter.action));
  if (filter.actions) out.push(inArray(auditEvents.action, filter.actions));
  if (filter.outcome) out.push(eq(auditEvents.outcome, filter.outcome));
  if (filter.reason) out.push(sql`${auditEvents.reason} like ${`${escapeLike(filter.reason)}%`}`);
  if (filter.subject) out.push(eq(auditEvents.subject, filter.subject));
  if (filter.ip) out.push(sql`${auditEvents.ip} <<= ${filter.ip}::inet`);
  if (filter.from) out.push(gte(auditEvents.at, filter.from));
  if (filter.to) out.push(lt(auditEvents.at, filter.to));
  return out;
}

/**
 * One page of audit events matching the filter, newest first. Keyset pagination on (at, id):
 * `cursor` is the id of the last event already shown, so a page costs the same however deep,
 * and events written meanwhile never shift what comes next.
 */
export async function searchAuditEvents(
  db: DbOrTx,
  filter: AuditFilter & { actions?: string[] },
  page: { cursor?: number; limit?: number } = {},
): Promise<{ events: AuditEventView[]; nextCursor: number | null }> {
  const limit = page.limit ?? 50;
  const where = await conditions(db, filter);
  if (!where) return { events: [], nextCursor: null };
  if (page.cursor !== undefined) {
    where.push(
      sql`(${auditEvents.at}, ${auditEvents.id}) < (select e.at, e.id from audit_events e where e.id = ${page.cursor})`,
    );
  }
  const rows = await db
    .select({
      event: auditEvents,
      actorEmail: users.email,
      actorName: users.displayName,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(...where))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit + 1);
  const events = rows.slice(0, limit).map(({ event, actorEmail, actorName }) => ({
    id: event.id,
    at: event.at.toISOString(),
    actor:
      event.actorId && actorEmail !== null && actorName !== null
        ? { id: event.actorId, email: actorEmail, displayName: actorName }
        : null,
    action: event.action,
    subject: event.subject,
    outcome: event.outcome,
    reason: event.reason,
    ip: event.ip,
    userAgent: event.userAgent,
    tokenId: event.tokenId,
    data: event.data,
  }));
  const last = events.at(-1);
  return { events, nextCursor: rows.length > limit && last ? last.id : null };
}

/** Every matching event, newest first, fetched a page at a time (for exports of any size). */
export async function* eachAuditEvent(
  db: DbOrTx,
  filter: AuditFilter,
  pageSize = 1000,
): AsyncGenerator<AuditEventView> {
  let cursor: number | undefined;
  for (;;) {
    const page = await searchAuditEvents(db, filter, { cursor, limit: pageSize });
    yield* page.events;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}
