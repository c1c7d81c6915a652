import "server-only";
import { eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { users } from "@/db/schema";
import { enforceRateLimits, hitRateLimits, type RateRule, rateRules } from "@/lib/abuse/rate-limit";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { releaseHeldPrizes } from "@/lib/catalog/instant-win";
import { appUrl } from "@/lib/config/env";
import { isAppError } from "@/lib/errors/app-error";
import { addressBucket } from "@/lib/http/client-info";
import { sendMail } from "@/lib/mail/send-mail";
import { revokeAllApiTokens } from "./api-tokens";
import { findUserByEmail } from "./create-account";
import { consumeEmailToken, issueEmailToken } from "./email-tokens";
import type { resetPasswordSchema } from "./model";
import { hashPassword } from "./password";

/** Reset requests one address may make: enough for a household, too few to probe many emails. */
export const resetRequestsPerIp: RateRule = {
  name: "password_reset:ip",
  limit: 10,
  windowSeconds: 3600,
};

/** Refuses (rate_limited) a caller's address that asked for too many reset links lately. */
export async function limitPasswordResetRequests(
  db: DbOrTx,
  context: RequestContext,
): Promise<void> {
  try {
    await enforceRateLimits(
      db,
      [{ rule: resetRequestsPerIp, subject: addressBucket(context.ip) }],
      "Too many password reset requests from your network: try again later",
    );
  } catch (error) {
    if (isAppError(error)) {
      await recordEvent(db, {
        ...context,
        action: "password_reset_request",
        outcome: "refused",
        reason: error.code,
      });
    }
    throw error;
  }
}

/**
 * Mails a reset link if an account has this email. The caller answers the same way whatever
 * happens here (and should run it after answering), so the reply reveals no account.
 */
export async function requestPasswordReset(
  db: DbOrTx,
  email: string,
  context: RequestContext,
): Promise<void> {
  const event = { ...context, action: "password_reset_request" } as const;
  const user = await findUserByEmail(db, email);
  if (!user) {
    await recordEvent(db, {
      ...event,
      outcome: "refused",
      reason: "unknown_email",
      data: { email },
    });
    return;
  }
  const audited = { ...event, actorId: user.id, subject: `user:${user.id}` };
  const verdict = await hitRateLimits(db, [{ rule: rateRules.mailPerAccount, subject: user.id }]);
  if (!verdict.ok) {
    await recordEvent(db, { ...audited, outcome: "refused", reason: "rate_limited" });
    return;
  }
  const token = await issueEmailToken(db, user.id, "reset_password");
  await sendMail(db, {
    to: user.email,
    subject: "Reset your Prizeledger password",
    text: [
      `Hello ${user.displayName},`,
      "",
      "Someone (we hope you) asked to reset the password of this Prizeledger account.",
      "Open this link within an hour to choose a new password:",
      "",
      `${appUrl()}/reset-password?token=${token}`,
      "",
      "Setting a new password signs the account out everywhere and revokes its API tokens.",
      "If you did not ask for this, ignore this message: your password stays as it is.",
    ].join("\n"),
  });
  await recordEvent(db, { ...audited, outcome: "ok" });
}

/**
 * Sets a new password through a reset link: ends every session (sessionVersion) and revokes every
 * API token, since whoever knew the old password may have made some; lifts a sign-in lockout and,
 * since the link arrived by mail, confirms the address too (releasing round prizes held for it).
 */
export async function resetPassword(
  db: DbOrTx,
  input: z.infer<typeof resetPasswordSchema>,
  context: RequestContext,
): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  try {
    await db.transaction(async (tx) => {
      const userId = await consumeEmailToken(tx, input.token, "reset_password");
      const [row] = await tx
        .update(users)
        .set({
          passwordHash,
          sessionVersion: sql`${users.sessionVersion} + 1`,
          failedSignIns: 0,
          lockedUntil: null,
          emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`,
        })
        .where(eq(users.id, userId))
        .returning({ sessionVersion: users.sessionVersion });
      // The address is verified now: round prizes held for it are released, as verifyEmail
      // releases them, or they would stay held with nothing left for the player to do.
      await releaseHeldPrizes(tx, userId);
      const tokensRevoked = await revokeAllApiTokens(tx, userId);
      await recordEvent(tx, {
        ...context,
        actorId: userId,
        action: "password_reset",
        subject: `user:${userId}`,
        outcome: "ok",
        data: { sessionVersion: row?.sessionVersion, tokensRevoked },
      });
    });
  } catch (error) {
    if (isAppError(error) && error.code === "invalid_link") {
      await recordEvent(db, {
        ...context,
        action: "password_reset",
        outcome: "refused",
        reason: `invalid_link:${String(error.details?.reason)}`,
      });
    }
    throw error;
  }
}
