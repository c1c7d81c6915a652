import "server-only";
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { users } from "@/db/schema";
import { enforceRateLimits, rateRules } from "@/lib/abuse/rate-limit";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { releaseHeldPrizes } from "@/lib/catalog/instant-win";
import { appUrl } from "@/lib/config/env";
import { AppError, isAppError } from "@/lib/errors/app-error";
import { withReturnPath } from "@/lib/http/safe-redirect-path";
import { sendMail } from "@/lib/mail/send-mail";
import { consumeEmailToken, issueEmailToken } from "./email-tokens";

type Recipient = { id: string; email: string; displayName: string };

/**
 * Mails a fresh verification link (older links stop working). `returnTo`, a path on this site
 * (anything else is dropped), is where the confirmation page offers to take the player back to.
 */
export async function sendVerificationEmail(
  db: DbOrTx,
  user: Recipient,
  returnTo?: string,
): Promise<void> {
  const token = await issueEmailToken(db, user.id, "verify_email");
  const link = withReturnPath(`${appUrl()}/verify-email?token=${token}`, returnTo);
  await sendMail(db, {
    to: user.email,
    subject: "Confirm your email address for Prizeledger",
    text: [
      `Hello ${user.displayName},`,
      "",
      "Open this link to confirm that this address is yours (it works for 48 hours):",
      "",
      link,
      "",
      "Players confirm their email before claiming prizes.",
      "If you did not create a Prizeledger account, ignore this message.",
    ].join("\n"),
  });
}

export async function isEmailVerified(db: DbOrTx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ verifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(eq(users.id, userId));
  return row?.verifiedAt != null;
}

/**
 * A new verification link for a signed-in account that has not confirmed its address yet; at
 * most `rateRules.mailPerAccount` mails an hour, so the button cannot be used to flood a mailbox.
 */
export async function resendVerificationEmail(
  db: DbOrTx,
  userId: string,
  context: RequestContext,
  returnTo?: string,
): Promise<"sent" | "already_verified"> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("not_found", "No such account");
  if (user.emailVerifiedAt) return "already_verified";
  const event = {
    ...context,
    actorId: userId,
    action: "verify_email_sent",
    subject: `user:${userId}`,
  };
  try {
    await enforceRateLimits(
      db,
      [{ rule: rateRules.mailPerAccount, subject: userId }],
      "You asked for several emails in the last hour: wait a while before asking again",
    );
    await sendVerificationEmail(db, user, returnTo);
  } catch (error) {
    if (isAppError(error))
      await recordEvent(db, { ...event, outcome: "refused", reason: error.code });
    throw error;
  }
  await recordEvent(db, { ...event, outcome: "ok" });
  return "sent";
}

/** Confirms the address of the link's account; the link then stops working. */
export async function verifyEmail(
  db: DbOrTx,
  token: string,
  context: RequestContext,
): Promise<{ userId: string }> {
  try {
    return await db.transaction(async (tx) => {
      const userId = await consumeEmailToken(tx, token, "verify_email");
      await tx
        .update(users)
        .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
        .where(eq(users.id, userId));
      await releaseHeldPrizes(tx, userId);
      await recordEvent(tx, {
        ...context,
        actorId: userId,
        action: "verify_email",
        subject: `user:${userId}`,
        outcome: "ok",
      });
      return { userId };
    });
  } catch (error) {
    if (isAppError(error) && error.code === "invalid_link") {
      await recordEvent(db, {
        ...context,
        action: "verify_email",
        outcome: "refused",
        reason: `invalid_link:${String(error.details?.reason)}`,
      });
    }
    throw error;
  }
}
