import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { emailTokens } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import type { EmailTokenProblem, EmailTokenPurpose, EmailTokenState } from "./model";

/** How long a link works: long enough to find the mail for a verification, short for a reset. */
export const emailTokenLifetimeSeconds: Record<EmailTokenPurpose, number> = {
  verify_email: 48 * 3600,
  reset_password: 3600,
};

// 32 random bytes in base64url, as issued: anything else is refused before touching the database.
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/**
 * A new one-time link token for the account; only its SHA-256 is stored. Older unused tokens of
 * the same purpose stop working, so only the latest mail's link is live.
 */
export async function issueEmailToken(
  db: DbOrTx,
  userId: string,
  purpose: EmailTokenPurpose,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.transaction(async (tx) => {
    await tx
      .update(emailTokens)
      .set({ expiresAt: sql`now()` })
      .where(
        and(
          eq(emailTokens.userId, userId),
          eq(emailTokens.purpose, purpose),
          isNull(emailTokens.usedAt),
          gt(emailTokens.expiresAt, sql`now()`),
        ),
      );
    await tx.insert(emailTokens).values({
      userId,
      purpose,
      tokenHash: hashToken(token),
      expiresAt: sql`now() + make_interval(secs => ${emailTokenLifetimeSeconds[purpose]})`,
    });
  });
  return token;
}

/** What a link would do, without using it up (pages show this before the user confirms). */
export async function inspectEmailToken(
  db: DbOrTx,
  token: string,
  purpose: EmailTokenPurpose,
): Promise<EmailTokenState> {
  if (!TOKEN_FORMAT.test(token)) return { ok: false, problem: "unknown" };
  const [row] = await db
    .select({
      userId: emailTokens.userId,
      used: sql<boolean>`${emailTokens.usedAt} is not null`,
      expired: sql<boolean>`${emailTokens.expiresAt} <= now()`,
    })
    .from(emailTokens)
    .where(and(eq(emailTokens.tokenHash, hashToken(token)), eq(emailTokens.purpose, purpose)));
  if (!row) return { ok: false, problem: "unknown" };
  if (row.used) return { ok: false, problem: "used" };
  if (row.expired) return { ok: false, problem: "expired" };
  return { ok: true, userId: row.userId };
}

const problemMessages: Record<EmailTokenProblem, string> = {
  unknown: "This link is not valid. Check that you copied all of it, or ask for a new one.",
  used: "This link has already been used. Ask for a new one if you still need it.",
  expired: "This link has expired or a newer one was sent. Ask for a new one.",
};

/** The sentence a page shows for a link that does not work. */
export function emailTokenProblemMessage(problem: EmailTokenProblem): string {
  return problemMessages[problem];
}

/**
 * Uses up a live token and returns its account; refuses with `invalid_link` (and the reason) if
 * it is unknown, of another purpose, used or expired. Marking it used in the same statement that
 * checks it makes two concurrent uses impossible.
 */
export async function consumeEmailToken(
  db: DbOrTx,
  token: string,
  purpose: EmailTokenPurpose,
): Promise<string> {
  if (TOKEN_FORMAT.test(token)) {
    const [row] = await db
      .update(emailTokens)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(emailTokens.tokenHash, hashToken(token)),
          eq(emailTokens.purpose, purpose),
          isNull(emailTokens.usedAt),
          gt(emailTokens.expiresAt, sql`now()`),
        ),
      )
      .returning({ userId: emailTokens.userId });
    if (row) return row.userId;
  }
  const state = await inspectEmailToken(db, token, purpose);
  const problem = state.ok ? "used" : state.problem;
  throw new AppError("invalid_link", emailTokenProblemMessage(problem), { reason: problem });
}
