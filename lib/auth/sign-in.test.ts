import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, users } from "@/db/schema";
import { rateRules } from "@/lib/abuse/rate-limit";
import { connectTestDb } from "@/test/db";
import { inOneWindow } from "@/test/rate-windows";
import { createApiTokenWithPassword } from "./api-tokens";
import { createAccount } from "./create-account";
import { attemptSignIn, LOCKOUT_THRESHOLD, lockoutSeconds } from "./sign-in";
import { decodeBase32, TOTP_STEP_SECONDS, totpCode } from "./totp";
import { beginEnrolment, confirmEnrolment, twoFactorStatus } from "./two-factor";

const db = connectTestDb();
const PASSWORD = "correct horse battery";
const context = { ip: "203.0.113.7", userAgent: "vitest" };
let counter = 0;

async function newAccount(role: "player" | "admin" = "player") {
  counter += 1;
  const email = `signin-${counter}-${Date.now()}@test.invalid`;
  const user = await createAccount(db, { email, password: PASSWORD }, role);
  return { ...user, email };
}

/** Enrols two-factor; returns the secret, the code that confirmed it and the recovery codes. */
async function enrol(userId: string) {
  await beginEnrolment(db, userId);
  const status = await twoFactorStatus(db, userId);
  const secret = decodeBase32(status.pending?.secret ?? "");
  const spent = totpCode(secret);
  const codes = await confirmEnrolment(db, { id: userId, sessionVersion: 0 }, spent, context);
  return { secret, spent, codes };
}

const nextStepCode = (secret: Uint8Array) =>
  totpCode(secret, Date.now() + TOTP_STEP_SECONDS * 1000);

describe("lockoutSeconds", () => {
  it("locks from the fifth failure for 30 s, doubling, capped at an hour", () => {
    expect(lockoutSeconds(LOCKOUT_THRESHOLD - 1)).toBe(0);
    expect([5, 6, 7, 8].map(lockoutSeconds)).toEqual([30, 60, 120, 240]);
    expect(lockoutSeconds(12)).toBe(3600);
    expect(lockoutSeconds(1000)).toBe(3600);
  });
});

describe("attemptSignIn", () => {
  it("signs in with the right password and audits it", async () => {
    const user = await newAccount();
    const result = await attemptSignIn(
      db,
      { email: user.email.toUpperCase(), password: PASSWORD },
      context,
    );
    expect(result).toMatchObject({ ok: true, user: { id: user.id, sessionVersion: 0 } });
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, user.id), eq(auditEvents.action, "sign_in")));
    expect(event).toMatchObject({ outcome: "ok", ip: "203.0.113.7", userAgent: "vitest" });
  });

  it("answers invalid_credentials alike for a wrong password and an unknown email", async () => {
    const user = await newAccount();
    expect(
      await attemptSignIn(db, { email: user.email, password: "wrong password" }, context),
    ).toEqual({
      ok: false,
      reason: "invalid_credentials",
    });
    expect(
      await attemptSignIn(db, { email: "nobody@test.invalid", password: PASSWORD }, context),
    ).toEqual({ ok: false, reason: "invalid_credentials" });
  });

  it("locks after five failures, refuses even the right password while locked, and a success resets", async () => {
    const user = await newAccount();
    const wrong = { email: user.email, password: "wrong password" };
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) {
      expect(await attemptSignIn(db, wrong, context)).toMatchObject({
        reason: "invalid_credentials",
      });
    }
    const fifth = await attemptSignIn(db, wrong, context);
    expect(fifth).toMatchObject({ ok: false, reason: "locked" });
    expect(fifth.ok === false && fifth.retryAfter).toBeGreaterThanOrEqual(29);
    expect(fifth.ok === false && fifth.retryAfter).toBeLessThanOrEqual(30);

    const right = await attemptSignIn(db, { email: user.email, password: PASSWORD }, context);
    expect(right).toMatchObject({ ok: false, reason: "locked" });

    // The lock runs out: the next failure locks again, for twice as long.
    await db
      .update(users)
      .set({ lockedUntil: new Date(Date.now() - 1000) })
      .where(eq(users.id, user.id));
    const sixth = await attemptSignIn(db, wrong, context);
    expect(sixth).toMatchObject({ reason: "locked" });
    expect(sixth.ok === false && sixth.retryAfter).toBeGreaterThan(30);

    await db
      .update(users)
      .set({ lockedUntil: new Date(Date.now() - 1000) })
      .where(eq(users.id, user.id));
    expect(
      await attemptSignIn(db, { email: user.email, password: PASSWORD }, context),
    ).toMatchObject({ ok: true });
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row).toMatchObject({ failedSignIns: 0, lockedUntil: null });
  });

  it("rate-limits attempts per account", async () => {
    const results = await inOneWindow(db, rateRules.signInPerAccount.windowSeconds, async () => {
      const email = `limited-${randomUUID()}@test.invalid`;
      const run = [];
      for (let i = 0; i < 11; i++) {
        run.push(await attemptSignIn(db, { email, password: "x" }, { ip: `198.51.100.${i}` }));
      }
      return run;
    });
    expect(results.slice(0, 10).every((r) => !r.ok && r.reason === "invalid_credentials")).toBe(
      true,
    );
    expect(results[10]).toMatchObject({ ok: false, reason: "rate_limited" });
    const last = results[10];
    expect(last && !last.ok && last.retryAfter).toBeGreaterThan(0);
  });

  it("asks for the second factor, refuses a wrong or reused code, accepts a fresh one", async () => {
    const user = await newAccount();
    const { secret, spent } = await enrol(user.id);
    const credentials = { email: user.email, password: PASSWORD };
    expect(await attemptSignIn(db, credentials, context)).toEqual({
      ok: false,
      reason: "otp_required",
    });
    expect(await attemptSignIn(db, { ...credentials, otp: "000000" }, context)).toMatchObject({
      reason: "otp_invalid",
    });
    // The code that confirmed enrolment was spent there (a code made now would be a fresh one
    // if the 30-second step has moved on since).
    expect(await attemptSignIn(db, { ...credentials, otp: spent }, context)).toMatchObject({
      reason: "otp_invalid",
    });
    const fresh = nextStepCode(secret);
    expect(await attemptSignIn(db, { ...credentials, otp: fresh }, context)).toMatchObject({
      ok: true,
    });
    expect(await attemptSignIn(db, { ...credentials, otp: fresh }, context)).toMatchObject({
      reason: "otp_invalid",
    });
  });

  it("accepts each recovery code once, in any case and spacing", async () => {
    const user = await newAccount();
    const { codes } = await enrol(user.id);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const credentials = { email: user.email, password: PASSWORD };
    const [first = "", second = ""] = codes;
    expect(await attemptSignIn(db, { ...credentials, otp: first }, context)).toMatchObject({
      ok: true,
    });
    expect(await attemptSignIn(db, { ...credentials, otp: first }, context)).toMatchObject({
      reason: "otp_invalid",
    });
    const sloppy = ` ${second.toLowerCase().replace("-", " ")} `;
    expect(await attemptSignIn(db, { ...credentials, otp: sloppy }, context)).toMatchObject({
      ok: true,
    });
    expect((await twoFactorStatus(db, user.id)).recoveryCodesLeft).toBe(8);
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.actorId, user.id),
          eq(auditEvents.outcome, "ok"),
          eq(auditEvents.action, "sign_in"),
        ),
      );
    expect(event?.data).toEqual({ secondFactor: "recovery_code" });
  });

  it("counts wrong codes towards the lockout", async () => {
    const user = await newAccount();
    await enrol(user.id);
    const bad = { email: user.email, password: PASSWORD, otp: "ZZZZZ-ZZZZZ" };
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) {
      expect(await attemptSignIn(db, bad, context)).toMatchObject({ reason: "otp_invalid" });
    }
    expect(await attemptSignIn(db, bad, context)).toMatchObject({ reason: "locked" });
  });

  it("refuses a suspended account its session or token, and says so only to the holder", async () => {
    const user = await newAccount("admin");
    const { secret, codes } = await enrol(user.id);
    await db.update(users).set({ suspendedAt: new Date() }).where(eq(users.id, user.id));
    expect(await attemptSignIn(db, { email: user.email, password: "wrong" }, context)).toEqual({
      ok: false,
      reason: "invalid_credentials",
    });
    const credentials = { email: user.email, password: PASSWORD, otp: nextStepCode(secret) };
    expect(await attemptSignIn(db, credentials, context)).toEqual({
      ok: false,
      reason: "account_suspended",
    });
    await expect(
      createApiTokenWithPassword(db, { ...credentials, otp: codes[0] }, {}, context),
    ).rejects.toMatchObject({ code: "account_suspended", status: 403 });
    // The refusal cost the holder none of their recovery codes.
    expect((await twoFactorStatus(db, user.id)).recoveryCodesLeft).toBe(10);
    const events = await db
      .select({ action: auditEvents.action, reason: auditEvents.reason })
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, user.id), eq(auditEvents.outcome, "refused")))
      .orderBy(auditEvents.id);
    expect(events).toEqual([
      { action: "sign_in", reason: "invalid_credentials" },
      { action: "sign_in", reason: "account_suspended" },
      { action: "token_create", reason: "account_suspended" },
    ]);
  });

  it("audits token creation attempts under their own action", async () => {
    const user = await newAccount();
    await attemptSignIn(db, { email: user.email, password: "nope" }, context, "token_create");
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, user.id), eq(auditEvents.action, "token_create")));
    expect(event).toMatchObject({ outcome: "refused", reason: "invalid_credentials" });
  });
});
