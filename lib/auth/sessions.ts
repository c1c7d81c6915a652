import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { users } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import type { PublicUser } from "./accounts";

/** The caller as route handlers and pages see it. */
export type SessionUser = PublicUser & {
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
    .select({ ...sessionUserColumns, sessionVersion: users.sessionVersion })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.suspendedAt)));
  if (!row || row.sessionVersion !== sessionVersion) return undefined;
  const { sessionVersion: _, ...user } = row;
  return user;
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
