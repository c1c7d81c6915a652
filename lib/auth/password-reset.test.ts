import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, users } from "@/db/schema";
import { rateRules } from "@/lib/abuse/rate-limit";
import { listMail } from "@/lib/mail/send-mail";
import { connectTestDb } from "@/test/db";
import { inOneWindow } from "@/test/rate-windows";
import {
  createApiTokenWithPassword,
  issueApiToken,
  listApiTokens,
  userForApiToken,
} from "./api-tokens";
import { resendVerificationEmail, verifyEmail } from "./email-verification";
import { verifyPassword } from "./password";
import { requestPasswordReset, resetPassword } from "./password-reset";
import { signUp } from "./sign-up";

const db = connectTestDb();
const context = { ip: "192.0.2.44", userAgent: "vitest" };
const oldPassword = "the-first-password";

async function newPlayer() {
  const email = `lifecycle-${randomUUID().slice(0, 8)}@example.test`;
  const user = await signUp(db, { email, password: oldPassword, region: "US", adult: true }, {});
  return { ...user, email };
}

async function linkToken(to: string, path: string): Promise<string> {
  const [mail] = await listMail(db, { to });
  const match = new RegExp(`${path}\\?token=([A-Za-z0-9_-]{43})`).exec(mail?.text ?? "");
  expect(match, `a ${path} link mailed to ${to}`).not.toBeNull();
  return match?.[1] ?? "";
}

describe("email verification", () => {
  it("confirms the address once; the link then reports it was used", async () => {
    const player = await newPlayer();
    const token = await linkToken(player.email, "/verify-email");
    await verifyEmail(db, token, context);
    const [row] = await db.select().from(users).where(eq(users.id, player.id));
    expect(row?.emailVerifiedAt).toBeInstanceOf(Date);
    await expect(verifyEmail(db, token, context)).rejects.toMatchObject({
      code: "invalid_link",
      details: { reason: "used" },
    });
    const events = await db
      .select({ outcome: auditEvents.outcome, reason: auditEvents.reason })
      .from(auditEvents)
      .where(eq(auditEvents.action, "verify_email"));
    expect(events).toEqual(
      expect.arrayContaining([
        { outcome: "ok", reason: null },
        { outcome: "refused", reason: "invalid_link:used" },
      ]),
    );
    expect(await resendVerificationEmail(db, player.id, context)).toBe("already_verified");
  });

  it("resends a fresh link that replaces the first, at most mailPerAccount times an hour", async () => {
    const { limit, windowSeconds } = rateRules.mailPerAccount;
    const { player, first, resent, refused } = await inOneWindow(db, windowSeconds, async () => {
      const player = await newPlayer();
      const first = await linkToken(player.email, "/verify-email");
      const resent = [];
      for (let i = 0; i < limit; i++) {
        resent.push(await resendVerificationEmail(db, player.id, context));
      }
      const refused = await resendVerificationEmail(db, player.id, context).catch((e) => e);
      return { player, first, resent, refused };
    });
    expect(resent).toEqual(Array(limit).fill("sent"));
    expect(refused).toMatchObject({ code: "rate_limited" });
    expect(await listMail(db, { to: player.email })).toHaveLength(1 + limit);
    await expect(verifyEmail(db, first, context)).rejects.toMatchObject({
      details: { reason: "expired" },
    });
    await verifyEmail(db, await linkToken(player.email, "/verify-email"), context);
  });
});

describe("password reset", () => {
  it("sets the new password, ends every session, lifts a lockout and confirms the email", async () => {
    const player = await newPlayer();
    await db
      .update(users)
      .set({ failedSignIns: 7, lockedUntil: new Date(Date.now() + 3_600_000) })
      .where(eq(users.id, player.id));
    await requestPasswordReset(db, player.email.toUpperCase(), context);
    const token = await linkToken(player.email, "/reset-password");

    const newPassword = "a-brand-new-password";
    await resetPassword(db, { token, password: newPassword, confirm: newPassword }, context);
    const [row] = await db.select().from(users).where(eq(users.id, player.id));
    expect(row).toMatchObject({ sessionVersion: 1, failedSignIns: 0, lockedUntil: null });
    expect(row?.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await verifyPassword(row?.passwordHash ?? "", oldPassword)).toBe(false);
    expect(await verifyPassword(row?.passwordHash ?? "", newPassword)).toBe(true);

    await expect(
      resetPassword(db, { token, password: "yet-another-password", confirm: "" }, context),
    ).rejects.toMatchObject({ code: "invalid_link", details: { reason: "used" } });
    const [after] = await db.select().from(users).where(eq(users.id, player.id));
    expect(after?.passwordHash).toBe(row?.passwordHash);

    const events = await db
      .select({ action: auditEvents.action, outcome: auditEvents.outcome })
      .from(auditEvents)
      .where(eq(auditEvents.actorId, player.id));
    expect(events).toEqual(
      expect.arrayContaining([
        { action: "password_reset_request", outcome: "ok" },
        { action: "password_reset", outcome: "ok" },
      ]),
    );
  });

  it("revokes every API token, so one made with a stolen password dies with it", async () => {
    const player = await newPlayer();
    const stolen = await createApiTokenWithPassword(
      db,
      { email: player.email, password: oldPassword },
      {},
      context,
    );
    const own = await issueApiToken(db, player.id, { name: "own" });
    expect((await userForApiToken(db, stolen.token))?.id).toBe(player.id);

    await requestPasswordReset(db, player.email, context);
    const token = await linkToken(player.email, "/reset-password");
    const newPassword = "the-owner-is-back-now";
    await resetPassword(db, { token, password: newPassword, confirm: newPassword }, context);

    expect(await userForApiToken(db, stolen.token)).toBeUndefined();
    expect(await userForApiToken(db, own.token)).toBeUndefined();
    expect((await listApiTokens(db, player.id)).map((t) => t.status)).toEqual([
      "revoked",
      "revoked",
    ]);
    const [event] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, player.id), eq(auditEvents.action, "password_reset")));
    expect(event?.data).toEqual({ sessionVersion: 1, tokensRevoked: 2 });
    // A token made after the reset, with the new password, works.
    const fresh = await createApiTokenWithPassword(
      db,
      { email: player.email, password: newPassword },
      {},
      context,
    );
    expect((await userForApiToken(db, fresh.token))?.id).toBe(player.id);
  });

  it("sends nothing for an unknown email, and audits the attempt", async () => {
    const before = (await listMail(db)).length;
    const stranger = `nobody-${randomUUID().slice(0, 8)}@example.test`;
    await requestPasswordReset(db, stranger, context);
    expect(await listMail(db)).toHaveLength(before);
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.action, "password_reset_request"),
          eq(auditEvents.reason, "unknown_email"),
        ),
      );
    expect(event?.data).toEqual({ email: stranger });
  });

  it("a reset link does not verify an email, nor the other way round", async () => {
    const player = await newPlayer();
    const verify = await linkToken(player.email, "/verify-email");
    await expect(
      resetPassword(db, { token: verify, password: "x-new-password", confirm: "" }, context),
    ).rejects.toMatchObject({ details: { reason: "unknown" } });
    await requestPasswordReset(db, player.email, context);
    const reset = await linkToken(player.email, "/reset-password");
    await expect(verifyEmail(db, reset, context)).rejects.toMatchObject({
      details: { reason: "unknown" },
    });
  });
});
