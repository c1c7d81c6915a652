import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { users } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import type { PublicUser } from "./model";

/**
 * An account as one request was let in: the session version it was checked at. A write that a
 * password reset or a suspension must not be outrun by (a new token, turning two-factor on or off)
 * checks it again under a lock with lockSession.
 */
export type SessionRef = { id: string; sessionVersion: number };

/** The caller as route handlers and pages see it. */
export type SessionUser = PublicUser &
  SessionRef & {
    /** Admins and auditors may use their role only with this on. */
    twoFactorEnabled: boolean;
    /** The API token the request came with, for the audit trail; absent for browser sessions. */
    tokenId?: string;
  };

export const sessionUserColumns = {
  id: users.id,
  email: users.email,
  role: users.role,
  displayName: users.displayName,
  twoFactorEnabled: sql<boolean>`${users.totpEnabledAt} is not null`,
  sessionVersion: users.sessionVersion,
};

/**
 * The account behind a session cookie, or undefined when the cookie was issued under an older
 * session version (bumping the version signs out every browser at once) or the account is
 * suspended: a suspended account has no session, whatever its cookie says.
 */
export async function sessionUser(
  db: DbOrTx,
  userId: string,
  sessionVersion: number | undefined,
): Promise<SessionUser | undefined> {
  const [row] = await db
    .select(sessionUserColumns)
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.suspendedAt)));
  return row && row.sessionVersion === sessionVersion ? row : undefined;
}

/**
 * Locks the account row for the rest of the transaction and refuses (`unauthenticated`) unless
 * the account is not suspended and (when `sessionVersion` is given) still at the session version
 * the caller was let in at. The version was checked once already when the request came in, but
 * without a lock: a password reset or a suspension committing since then would otherwise be
 * outrun by this write. With the lock, one that comes first is seen here, and one that comes
 * later waits for this transaction (and then revokes or overrides what it made).
 */
export async function lockSession(
  tx: Tx,
  userId: string,
  sessionVersion: number | undefined,
  strength: "share" | "no key update",
): Promise<void> {
  const [row] = await tx
    .select({ sessionVersion: users.sessionVersion })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.suspendedAt)))
    .for(strength);
  if (!row || (sessionVersion !== undefined && row.sessionVersion !== sessionVersion)) {
    throw new AppError("unauthenticated", "The account changed meanwhile: sign in again");
  }
}

/** Ends every session of the account, this browser's included. API tokens stay valid. */
export async function endAllSessions(
  db: DbOrTx,
  userId: string,
  context: RequestContext,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, userId))
      .returning({ sessionVersion: users.sessionVersion });
    await recordEvent(tx, {
      ...context,
      actorId: userId,
      action: "sign_out_everywhere",
      subject: `user:${userId}`,
      outcome: "ok",
      data: { sessionVersion: row?.sessionVersion },
    });
  });
}
