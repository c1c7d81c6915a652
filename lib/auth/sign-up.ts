import "server-only";
import type { DbOrTx } from "@/db/client";
import { hitRateLimits, rateRules } from "@/lib/abuse/rate-limit";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError, isAppError } from "@/lib/errors/app-error";
import { addressBucket } from "@/lib/http/client-info";
import { createAccount } from "./create-account";
import { sendVerificationEmail } from "./email-verification";
import { type PublicUser, type signUpFormSchema, signUpSchema } from "./model";

/**
 * Creates a player account and mails it a verification link. Every well-formed attempt counts
 * against the caller's address (rateRules.signUpPerIp); every outcome is audited as `sign_up`. The page
 * passes signUpFormSchema (region and 18+ required) and the path the player came from, which the
 * mailed link carries back (see sendVerificationEmail); the API the lenient signUpSchema.
 */
export async function signUp(
  db: DbOrTx,
  input: unknown,
  context: RequestContext,
  schema: typeof signUpSchema | typeof signUpFormSchema = signUpSchema,
  returnTo?: string,
): Promise<PublicUser> {
  const event = { ...context, action: "sign_up" } as const;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".")))];
    await recordEvent(db, {
      ...event,
      outcome: "refused",
      reason: "invalid_input",
      data: { fields },
    });
    throw parsed.error;
  }
  // Counted once the form is filled in correctly: a player fixing typos is not held back, and
  // what the limit guards (new accounts, password hashing, mail) only happens past this point.
  const verdict = await hitRateLimits(db, [
    { rule: rateRules.signUpPerIp, subject: addressBucket(context.ip) },
  ]);
  if (!verdict.ok) {
    await recordEvent(db, { ...event, outcome: "refused", reason: "rate_limited" });
    const minutes = Math.ceil(verdict.retryAfter / 60);
    throw new AppError(
      "rate_limited",
      `Too many sign-ups from your network: try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
      { retryAfter: verdict.retryAfter },
    );
  }
  let user: PublicUser;
  try {
    user = await db.transaction(async (tx) => {
      const created = await createAccount(tx, parsed.data);
      await recordEvent(tx, {
        ...event,
        actorId: created.id,
        subject: `user:${created.id}`,
        outcome: "ok",
        data: { region: parsed.data.region ?? null, adult: parsed.data.adult ?? false },
      });
      return created;
    });
  } catch (error) {
    if (isAppError(error) && error.code === "email_taken") {
      await recordEvent(db, {
        ...event,
        outcome: "refused",
        reason: "email_taken",
        data: { email: parsed.data.email },
      });
    }
    throw error;
  }
  try {
    await sendVerificationEmail(db, user, returnTo);
  } catch (error) {
    // The account exists either way: the player asks for a new link from the banner.
    if (!isAppError(error) || error.code !== "unavailable") throw error;
  }
  return user;
}
