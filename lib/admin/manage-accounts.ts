import "server-only";
import { and, asc, eq, gt, isNotNull, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx, Tx } from "@/db/client";
import { type User, users } from "@/db/schema";
import { listClaimAttempts } from "@/lib/audit/claim-attempts";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { revokeAllApiTokens } from "@/lib/auth/api-tokens";
import { AppError } from "@/lib/errors/app-error";
import type { AccountChange, AccountDetail, AccountSearch, AccountSummary } from "./model";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summary(user: User): AccountSummary {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    region: user.region,
    emailVerified: user.emailVerifiedAt !== null,
    flagged: user.flaggedAt !== null,
    suspended: user.suspendedAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

/** `%` and `_` typed by the admin are searched for, not used as wildcards. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Accounts matching the search, in email order; `nextAfter` continues from the last one
 * (keyset on the unique lower(email), so pages stay stable while accounts are added).
 */
export async function searchAccounts(
  db: DbOrTx,
  search: AccountSearch,
): Promise<{ accounts: AccountSummary[]; nextAfter: string | null }> {
  const email = sql`lower(${users.email})`;
  const conditions: Array<SQL | undefined> = [
    search.q
      ? or(
          sql`${users.email} ilike ${containing(search.q)}`,
          sql`${users.displayName} ilike ${containing(search.q)}`,
        )
      : undefined,
    search.role ? eq(users.role, search.role) : undefined,
    search.flagged === "yes" ? isNotNull(users.flaggedAt) : undefined,
    search.flagged === "no" ? isNull(users.flaggedAt) : undefined,
    search.suspended === "yes" ? isNotNull(users.suspendedAt) : undefined,
    search.suspended === "no" ? isNull(users.suspendedAt) : undefined,
    search.after ? gt(email, search.after.toLowerCase()) : undefined,
  ];
  const rows = await db
    .select()
    .from(users)
    .where(and(...conditions))
    .orderBy(asc(email))
    .limit(search.limit + 1);
  const page = rows.slice(0, search.limit).map(summary);
  const last = page.at(-1);
  return {
    accounts: page,
    nextAfter: rows.length > search.limit && last ? last.email.toLowerCase() : null,
  };
}

/** Everything an admin needs to decide about an account; undefined if there is none. */
export async function getAccountDetail(db: DbOrTx, id: string): Promise<AccountDetail | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  const [user] = await db.select().from(users).where(eq(users.id, id));
  if (!user) return undefined;
  const [linked, attempts] = await Promise.all([
    user.accountGroupId
      ? db
          .select()
          .from(users)
          .where(and(eq(users.accountGroupId, user.accountGroupId), ne(users.id, user.id)))
          .orderBy(asc(sql`lower(${users.email})`))
          .limit(100)
      : Promise.resolve([]),
    listClaimAttempts(db, user.id, { limit: 10 }),
  ]);
  return {
    ...summary(user),
    twoFactor: user.totpEnabledAt !== null,
    loyaltyTier: user.loyaltyTier,
    flaggedAt: iso(user.flaggedAt),
    flaggedReason: user.flaggedReason,
    suspendedAt: iso(user.suspendedAt),
    suspendedReason: user.suspendedReason,
    sessionVersion: user.sessionVersion,
    linkedAccounts: linked.map(summary),
    recentAttempts: attempts.attempts,
  };
}

export type AccountChangeRequest = {
  actorId: string;
  accountId: string;
  change: AccountChange;
  tokenId?: string | null;
} & RequestContext;

type Aspect = "role" | "flag" | "suspension";

function aspectOf(user: User, aspect: Aspect): Record<string, unknown> {
  if (aspect === "role") return { role: user.role };
  if (aspect === "flag")
    return { flagged: user.flaggedAt !== null, flaggedReason: user.flaggedReason };
  return {
    suspended: user.suspendedAt !== null,
    suspendedReason: user.suspendedReason,
    sessionVersion: user.sessionVersion,
  };
}

const actionFor = (aspect: Aspect, before: User, after: User): string => {
  if (aspect === "role") return "account_role_change";
  if (aspect === "flag") return after.flaggedAt ? "account_flag" : "account_unflag";
  return after.suspendedAt || !before.suspendedAt ? "account_suspend" : "account_unsuspend";
};

/** The column values of a change; a repeated flag or suspension keeps its first time. */
function columnsFor(change: AccountChange, user: User): Partial<User> & Record<string, unknown> {
  const set: Record<string, unknown> = {};
  if (change.role !== undefined && change.role !== user.role) set.role = change.role;
  if (change.flagged === true) {
    if (!user.flaggedAt) set.flaggedAt = sql`now()`;
    if (change.flaggedReason !== user.flaggedReason) set.flaggedReason = change.flaggedReason;
  } else if (change.flagged === false && user.flaggedAt) {
    Object.assign(set, { flaggedAt: null, flaggedReason: null });
  }
  if (change.suspended === true) {
    if (!user.suspendedAt) {
      set.suspendedAt = sql`now()`;
      // Suspension ends every session of the account for good: unsuspending does not undo this.
      set.sessionVersion = sql`${users.sessionVersion} + 1`;
    }
    if (change.suspendedReason !== user.suspendedReason)
      set.suspendedReason = change.suspendedReason;
  } else if (change.suspended === false && user.suspendedAt) {
    Object.assign(set, { suspendedAt: null, suspendedReason: null });
  }
  return set;
}

/**
 * Locks every admin row, in id order, before anything else: concurrent role changes and
 * suspensions then queue here (no deadlock), and two admins demoting or suspending each other
 * cannot both see the other in place. Returns the admins not suspended: those who can act.
 */
async function lockAdmins(tx: Tx): Promise<string[]> {
  const admins = await tx
    .select({ id: users.id, suspendedAt: users.suspendedAt })
    .from(users)
    .where(eq(users.role, "admin"))
    .orderBy(users.id)
    .for("update");
  return admins.filter((a) => !a.suspendedAt).map((a) => a.id);
}

/**
 * Refuses a change of one's own role or suspension, and one that would leave the platform
 * without an admin who can act.
 */
function checkChange(actorId: string, admins: string[], target: User, change: AccountChange): void {
  const demoting = change.role !== undefined && change.role !== target.role;
  const suspending = change.suspended === true && !target.suspendedAt;
  if (!demoting && !suspending) return;
  if (target.id === actorId)
    throw new AppError(
      "own_account",
      `You cannot ${demoting ? "change your own role" : "suspend yourself"}; ask another admin`,
    );
  const leaving = target.role === "admin" && (suspending || change.role !== "admin");
  if (leaving && admins.filter((id) => id !== target.id).length === 0)
    throw new AppError("last_admin", "This is the last admin: make another admin first");
}

/**
 * Applies an admin's change to an account in one transaction that also writes one audit event
 * per changed aspect (role, flag, suspension) with its `{ before, after }`. A refused change is
 * recorded as refused and thrown (`not_found`, `own_account`, `last_admin`).
 */
export async function changeAccount(
  db: DbOrTx,
  request: AccountChangeRequest,
): Promise<AccountDetail> {
  const { actorId, accountId, change, tokenId, ...context } = request;
  if (!z.uuid().safeParse(accountId).success) throw new AppError("not_found", "No such account");
  const event = { actorId, subject: `user:${accountId}`, tokenId, ...context };
  try {
    await db.transaction(async (tx) => {
      const admins =
        change.role === undefined && change.suspended !== true ? [] : await lockAdmins(tx);
      const [before] = await tx.select().from(users).where(eq(users.id, accountId)).for("update");
      if (!before) throw new AppError("not_found", "No such account");
      checkChange(actorId, admins, before, change);
      const set = columnsFor(change, before);
      if (Object.keys(set).length === 0) return;
      const [after] = await tx.update(users).set(set).where(eq(users.id, accountId)).returning();
      if (!after) throw new Error(`account ${accountId} vanished while locked`);
      // Revoked, not merely refused while suspended: lifting the suspension brings none back.
      const suspending = !before.suspendedAt && after.suspendedAt;
      const revoked = suspending ? { tokensRevoked: await revokeAllApiTokens(tx, accountId) } : {};
      for (const aspect of ["role", "flag", "suspension"] as const) {
        const was = aspectOf(before, aspect);
        const is = aspectOf(after, aspect);
        if (JSON.stringify(was) === JSON.stringify(is)) continue;
        await recordEvent(tx, {
          ...event,
          action: actionFor(aspect, before, after),
          outcome: "ok",
          data: { before: was, after: is, ...(aspect === "suspension" ? revoked : {}) },
        });
      }
    });
  } catch (error) {
    if (error instanceof AppError && error.code !== "not_found") {
      await recordEvent(db, {
        ...event,
        action: "account_change",
        outcome: "refused",
        reason: error.code,
        data: { requested: change },
      });
    }
    throw error;
  }
  const detail = await getAccountDetail(db, accountId);
  if (!detail) throw new AppError("not_found", "No such account");
  return detail;
}
