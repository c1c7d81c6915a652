import "server-only";
import { and, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { auditEvents, users } from "@/db/schema";
import type { AuditEventView, AuditFilter } from "./model";

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
  if (filter.requestId) out.push(eq(auditEvents.requestId, filter.requestId));
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
    requestId: event.requestId,
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
