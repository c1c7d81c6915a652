import "server-only";
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type User, users } from "@/db/schema";
import { hitRateLimits, type RateRule, rateRules } from "@/lib/abuse/rate-limit";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { addressBucket } from "@/lib/http/client-info";
import { findUserByEmail } from "./create-account";
import { emailSchema, type PublicUser, type SignInReason } from "./model";
import { decoyHash, verifyPassword } from "./password";
import { verifySecondFactor } from "./two-factor";

export type SignInCredentials = { email: string; password: string; otp?: string };

/** What a session is issued for: the account and the session version it starts under. */
export type SignedInUser = PublicUser & { sessionVersion: number };

export type SignInResult =
  | { ok: true; user: SignedInUser }
  | { ok: false; reason: SignInReason; retryAfter?: number };

/** The browser form and POST /api/v1/tokens count against separate limits and audit actions. */
export type SignInPurpose = "sign_in" | "token_create";

function limits(purpose: SignInPurpose): { perIp: RateRule; perAccount: RateRule } {
  return purpose === "sign_in"
    ? { perIp: rateRules.signInPerIp, perAccount: rateRules.signInPerAccount }
    : { perIp: rateRules.tokenPerIp, perAccount: rateRules.tokenPerAccount };
}

/** Consecutive failures allowed before the account locks. */
export const LOCKOUT_THRESHOLD = 5;
const LOCKOUT_BASE_SECONDS = 30;
const LOCKOUT_MAX_SECONDS = 3600;

/** How long the account locks after `failures` consecutive failures: 30 s doubling, at most 1 h. */
export function lockoutSeconds(failures: number): number {
  if (failures < LOCKOUT_THRESHOLD) return 0;
  // Past the cap the exponent no longer matters; bounding it keeps the number finite.
  const exponent = Math.min(failures - LOCKOUT_THRESHOLD, 12);
  return Math.min(LOCKOUT_BASE_SECONDS * 2 ** exponent, LOCKOUT_MAX_SECONDS);
}

/** Counts a failure; returns the seconds the account is now locked for (0 if not locked). */
async function recordFailure(db: DbOrTx, userId: string): Promise<number> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ failedSignIns: sql`${users.failedSignIns} + 1` })
      .where(eq(users.id, userId))
      .returning({ failures: users.failedSignIns });
    const seconds = lockoutSeconds(row?.failures ?? 0);
    if (seconds > 0) {
      await tx
        .update(users)
        .set({ lockedUntil: sql`now() + make_interval(secs => ${seconds})` })
        .where(eq(users.id, userId));
    }
    return seconds;
  });
}

async function clearFailures(db: DbOrTx, user: User): Promise<void> {
  if (user.failedSignIns === 0 && user.lockedUntil === null) return;
  await db.update(users).set({ failedSignIns: 0, lockedUntil: null }).where(eq(users.id, user.id));
}

type Decision = {
  result: SignInResult;
  user?: User;
  /** What explains the outcome in the audit trail (never a secret). */
  data?: Record<string, unknown>;
};

async function decide(
  db: DbOrTx,
  email: string,
  credentials: SignInCredentials,
  context: RequestContext,
  purpose: SignInPurpose,
): Promise<Decision> {
  const verdict = await hitRateLimits(db, [
    { rule: limits(purpose).perIp, subject: addressBucket(context.ip) },
    { rule: limits(purpose).perAccount, subject: email },
  ]);
  if (!verdict.ok) {
    return { result: { ok: false, reason: "rate_limited", retryAfter: verdict.retryAfter } };
  }

  const user = email ? await findUserByEmail(db, email) : undefined;
  if (!user) {
    // Same cost as a real account, so the answer time does not tell which emails exist.
    await verifyPassword(await decoyHash(), credentials.password);
    return { result: { ok: false, reason: "invalid_credentials" } };
  }

  const lockedFor = user.lockedUntil
    ? Math.ceil((user.lockedUntil.getTime() - Date.now()) / 1000)
    : 0;
  if (lockedFor > 0) {
    return { user, result: { ok: false, reason: "locked", retryAfter: lockedFor } };
  }

  if (!(await verifyPassword(user.passwordHash, credentials.password))) {
    return failure(db, user, "invalid_credentials");
  }

  let secondFactor: string | undefined;
  if (user.totpEnabledAt) {
    if (!credentials.otp?.trim()) return { user, result: { ok: false, reason: "otp_required" } };
    // A suspended account is refused just below: its recovery code is checked, not spent.
    secondFactor = await verifySecondFactor(db, user, credentials.otp, !user.suspendedAt);
    if (!secondFactor) return failure(db, user, "otp_invalid");
  }

  // Said only to whoever proved to be the account holder, so it reveals nothing to a stranger.
  if (user.suspendedAt) return { user, result: { ok: false, reason: "account_suspended" } };

  await clearFailures(db, user);
  const { id, role, displayName, sessionVersion } = user;
  return {
    user,
    result: { ok: true, user: { id, email: user.email, role, displayName, sessionVersion } },
    data: secondFactor ? { secondFactor } : undefined,
  };
}

/** A wrong password or code counts towards the lockout; the attempt that trips it says so. */
async function failure(
  db: DbOrTx,
  user: User,
  reason: "invalid_credentials" | "otp_invalid",
): Promise<Decision> {
  const lockedFor = await recordFailure(db, user.id);
  if (lockedFor === 0) return { user, result: { ok: false, reason } };
  return {
    user,
    result: { ok: false, reason: "locked", retryAfter: lockedFor },
    data: { after: reason, failures: user.failedSignIns + 1 },
  };
}

/**
 * One sign-in attempt, for the browser form and for POST /api/v1/tokens alike: rate limits per
 * address and per account, then the lockout (a locked account is refused without looking at the
 * password), then the password, then the second factor, then suspension. Every attempt lands in
 * the audit trail.
 */
export async function attemptSignIn(
  db: DbOrTx,
  credentials: SignInCredentials,
  context: RequestContext,
  purpose: SignInPurpose = "sign_in",
): Promise<SignInResult> {
  const parsed = emailSchema.safeParse(credentials.email);
  const email = parsed.success ? parsed.data : "";
  const { result, user, data } = await decide(db, email, credentials, context, purpose);
  await recordEvent(db, {
    ...context,
    actorId: user?.id ?? null,
    action: purpose,
    subject: `email:${credentials.email.trim().slice(0, 254).toLowerCase()}`,
    outcome: result.ok ? "ok" : "refused",
    reason: result.ok ? null : result.reason,
    data:
      result.ok || result.retryAfter === undefined
        ? data
        : { ...data, retryAfter: result.retryAfter },
  });
  return result;
}

const refusalMessages: Record<SignInReason, string> = {
  invalid_credentials: "Wrong email or password",
  locked: "Too many failed sign-ins: this account is locked for a while",
  rate_limited: "Too many sign-in attempts: wait a moment and try again",
  otp_required: "This account has two-factor authentication: send the current code as otp",
  otp_invalid: "The authentication code did not match",
  account_suspended: "This account is suspended",
};

/** The refusal as the API's typed error (Retry-After from `retryAfter`). */
export function signInRefusal(result: Extract<SignInResult, { ok: false }>): AppError {
  return new AppError(
    result.reason,
    refusalMessages[result.reason],
    result.retryAfter === undefined ? undefined : { retryAfter: result.retryAfter },
  );
}
