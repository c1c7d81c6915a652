import "server-only";
import { randomInt } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { recoveryCodes, type User, users } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { codeFingerprint, decryptCode, encryptCode } from "@/lib/codes/code-crypto";
import { AppError } from "@/lib/errors/app-error";
import { findUserByEmail } from "./create-account";
import type { TwoFactorStatus } from "./model";
import { lockSession, type SessionRef } from "./sessions";
import {
  decodeBase32,
  encodeBase32,
  generateTotpSecret,
  matchTotp,
  otpauthUri,
  TOTP_DIGITS,
} from "./totp";

export const RECOVERY_CODE_COUNT = 10;
// No 0/O or 1/I/L: recovery codes are read off paper.
const RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const RECOVERY_GROUP = 5;

type TotpColumns = Pick<User, "id" | "totpSecret" | "totpKeyId" | "totpLastStep">;

function secretOf(user: TotpColumns): Buffer | undefined {
  if (!user.totpSecret || !user.totpKeyId) return undefined;
  return decodeBase32(decryptCode(user.totpSecret, user.totpKeyId));
}

function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, "");
}

// Keyed like gift-code fingerprints: a leaked table cannot be brute-forced without the key.
function recoveryCodeHash(code: string): Uint8Array {
  return codeFingerprint(`recovery-code:${normaliseRecoveryCode(code)}`);
}

function newRecoveryCode(): string {
  const chars = Array.from(
    { length: 2 * RECOVERY_GROUP },
    () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)],
  ).join("");
  return `${chars.slice(0, RECOVERY_GROUP)}-${chars.slice(RECOVERY_GROUP)}`;
}

async function loadUser(db: DbOrTx, userId: string): Promise<User> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("not_found", "No such account");
  return user;
}

export async function twoFactorStatus(db: DbOrTx, userId: string): Promise<TwoFactorStatus> {
  const user = await loadUser(db, userId);
  const [left] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  const secret = user.totpEnabledAt ? undefined : secretOf(user);
  return {
    enabled: user.totpEnabledAt !== null,
    enabledAt: user.totpEnabledAt,
    pending: secret && { secret: encodeBase32(secret), uri: otpauthUri(secret, user.email) },
    recoveryCodesLeft: left?.n ?? 0,
  };
}

/** Makes a new secret for the account to confirm (replacing an unconfirmed one). */
export async function beginEnrolment(db: DbOrTx, userId: string): Promise<void> {
  const { ciphertext, keyId } = encryptCode(encodeBase32(generateTotpSecret()));
  const updated = await db
    .update(users)
    .set({ totpSecret: ciphertext, totpKeyId: keyId, totpLastStep: null })
    .where(and(eq(users.id, userId), isNull(users.totpEnabledAt)))
    .returning({ id: users.id });
  if (updated.length === 0) throw new AppError("bad_request", "Two-factor is already on");
}

/**
 * Accepts a code if it matches a step after the last accepted one, and records that step in the
 * same statement, so two requests racing with one code cannot both pass.
 */
async function acceptTotp(db: DbOrTx, user: TotpColumns, code: string): Promise<boolean> {
  const secret = secretOf(user);
  if (!secret) return false;
  const step = matchTotp(secret, code, Date.now(), user.totpLastStep);
  if (step === undefined) return false;
  const taken = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(
      and(
        eq(users.id, user.id),
        sql`(${users.totpLastStep} is null or ${users.totpLastStep} < ${step})`,
      ),
    )
    .returning({ id: users.id });
  return taken.length === 1;
}

/** Whether the code is one of the account's unused recovery codes; spends it when `spend`. */
async function matchRecoveryCode(
  db: DbOrTx,
  userId: string,
  code: string,
  spend: boolean,
): Promise<boolean> {
  const unused = and(
    eq(recoveryCodes.userId, userId),
    eq(recoveryCodes.codeHash, recoveryCodeHash(code)),
    isNull(recoveryCodes.usedAt),
  );
  const found = spend
    ? await db
        .update(recoveryCodes)
        .set({ usedAt: sql`now()` })
        .where(unused)
        .returning({ userId: recoveryCodes.userId })
    : await db.select({ userId: recoveryCodes.userId }).from(recoveryCodes).where(unused);
  return found.length === 1;
}

/**
 * Checks the second factor at sign-in: a current authenticator code, or else an unused recovery
 * code, which is then spent unless `spendRecoveryCode` is off: a sign-in refused anyway after the
 * check (a suspended account) must not cost the holder one of their ten codes. Says which passed.
 */
export async function verifySecondFactor(
  db: DbOrTx,
  user: TotpColumns,
  code: string,
  spendRecoveryCode = true,
): Promise<"totp" | "recovery_code" | undefined> {
  const trimmed = code.replace(/\s/g, "");
  if (new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(trimmed)) {
    return (await acceptTotp(db, user, trimmed)) ? "totp" : undefined;
  }
  if (trimmed.length > 40) return undefined;
  const matched = await matchRecoveryCode(db, user.id, trimmed, spendRecoveryCode);
  return matched ? "recovery_code" : undefined;
}

/**
 * Turns two-factor on with a first code and returns the recovery codes, shown only this once.
 * Only for a session still current: a reset does not turn two-factor off, so an authenticator
 * added by a stolen session just after the reset would keep the owner out of the account.
 */
export async function confirmEnrolment(
  db: DbOrTx,
  account: SessionRef,
  code: string,
  context: RequestContext,
): Promise<string[]> {
  const userId = account.id;
  return db.transaction(async (tx) => {
    await lockSession(tx, userId, account.sessionVersion, "no key update");
    const user = await loadUser(tx, userId);
    if (user.totpEnabledAt) throw new AppError("bad_request", "Two-factor is already on");
    if (!user.totpSecret) throw new AppError("bad_request", "Start the set-up first");
    if (!(await acceptTotp(tx, user, code.replace(/\s/g, "")))) {
      throw new AppError("otp_invalid", "That code did not match: try the current one");
    }
    await tx.update(users).set({ totpEnabledAt: sql`now()` }).where(eq(users.id, userId));
    const codes = await replaceRecoveryCodes(tx, userId);
    await recordEvent(tx, {
      ...context,
      actorId: userId,
      action: "two_factor_enable",
      subject: `user:${userId}`,
      outcome: "ok",
    });
    return codes;
  });
}

async function replaceRecoveryCodes(db: DbOrTx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await db
    .insert(recoveryCodes)
    .values(codes.map((code) => ({ userId, codeHash: recoveryCodeHash(code) })));
  return codes;
}

/**
 * Turns two-factor off after a valid code, for a session still current; admins and auditors must
 * keep it.
 */
export async function disableTwoFactor(
  db: DbOrTx,
  account: SessionRef,
  code: string,
  context: RequestContext,
): Promise<void> {
  const userId = account.id;
  await db.transaction(async (tx) => {
    await lockSession(tx, userId, account.sessionVersion, "no key update");
    const user = await loadUser(tx, userId);
    if (user.role !== "player") {
      throw new AppError("forbidden", "Admins and auditors must keep two-factor on");
    }
    if (!user.totpEnabledAt) throw new AppError("bad_request", "Two-factor is not on");
    if (!(await verifySecondFactor(tx, user, code))) {
      throw new AppError("otp_invalid", "That code did not match");
    }
    await tx
      .update(users)
      .set({ totpSecret: null, totpKeyId: null, totpEnabledAt: null, totpLastStep: null })
      .where(eq(users.id, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await recordEvent(tx, {
      ...context,
      actorId: userId,
      action: "two_factor_disable",
      subject: `user:${userId}`,
      outcome: "ok",
    });
  });
}

/**
 * The base32 secret of the account with this address if it has two-factor on, for the operator's
 * `npm run otp`: whoever holds the database and the code keys can read it anyway.
 */
export async function enabledTotpSecret(db: DbOrTx, email: string): Promise<string | undefined> {
  const user = await findUserByEmail(db, email);
  const secret = user?.totpEnabledAt ? secretOf(user) : undefined;
  if (!user || !secret) return undefined;
  // Whoever reads it can pass the account's two-factor check: the account's history says so.
  await recordEvent(db, {
    actorId: null,
    action: "two_factor_secret_read",
    subject: `user:${user.id}`,
    outcome: "ok",
    reason: "console",
  });
  return encodeBase32(secret);
}

/** Enrols an account with a known secret (demo data only), with no recovery codes. */
export async function enrolWithSecret(
  db: DbOrTx,
  userId: string,
  secretBase32: string,
): Promise<void> {
  const { ciphertext, keyId } = encryptCode(encodeBase32(decodeBase32(secretBase32)));
  await db
    .update(users)
    .set({ totpSecret: ciphertext, totpKeyId: keyId, totpEnabledAt: sql`now()` })
    .where(eq(users.id, userId));
}
