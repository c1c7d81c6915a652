import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, users } from "@/db/schema";
import { connectTestDb } from "@/test/db";
import { attemptDuringReset } from "@/test/reset-race";
import { createAccount } from "./create-account";
import type { Role } from "./model";
import { endAllSessions, sessionUser } from "./sessions";
import { decodeBase32, TOTP_STEP_SECONDS, totpCode } from "./totp";
import {
  beginEnrolment,
  confirmEnrolment,
  disableTwoFactor,
  enabledTotpSecret,
  enrolWithSecret,
  twoFactorStatus,
} from "./two-factor";

const db = connectTestDb();
const context = { ip: "203.0.113.5", userAgent: "vitest" };
let counter = 0;

async function newAccount(role: Role = "player") {
  counter += 1;
  const email = `twofactor-${counter}-${Date.now()}@test.invalid`;
  const user = await createAccount(db, { email, password: "correct horse battery" }, role);
  return { ...user, sessionVersion: 0 };
}

const later = (secret: Uint8Array) => totpCode(secret, Date.now() + TOTP_STEP_SECONDS * 1000);

describe("two-factor enrolment", () => {
  it("keeps the secret encrypted and turns on only with a matching code", async () => {
    const user = await newAccount();
    expect(await twoFactorStatus(db, user.id)).toMatchObject({ enabled: false });
    await beginEnrolment(db, user.id);
    const status = await twoFactorStatus(db, user.id);
    const secret = status.pending?.secret ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(status.pending?.uri).toContain(`secret=${secret}`);
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(Buffer.from(row?.totpSecret ?? []).toString("latin1")).not.toContain(secret);

    await expect(confirmEnrolment(db, user, "12345", context)).rejects.toMatchObject({
      code: "otp_invalid",
    });
    const codes = await confirmEnrolment(db, user, totpCode(decodeBase32(secret)), context);
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    expect(await twoFactorStatus(db, user.id)).toMatchObject({
      enabled: true,
      pending: undefined,
      recoveryCodesLeft: 10,
    });
    await expect(beginEnrolment(db, user.id)).rejects.toMatchObject({ code: "bad_request" });
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, user.id), eq(auditEvents.action, "two_factor_enable")));
    expect(event).toMatchObject({ outcome: "ok", ip: "203.0.113.5" });
  });

  it("lets a player turn it off with a code, never an admin or auditor", async () => {
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const player = await newAccount();
    const auditor = await newAccount("auditor");
    await enrolWithSecret(db, player.id, secret);
    await enrolWithSecret(db, auditor.id, secret);
    await expect(
      disableTwoFactor(db, auditor, later(decodeBase32(secret)), context),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(disableTwoFactor(db, player, "000000", context)).rejects.toMatchObject({
      code: "otp_invalid",
    });
    await disableTwoFactor(db, player, later(decodeBase32(secret)), context);
    expect(await twoFactorStatus(db, player.id)).toMatchObject({
      enabled: false,
      pending: undefined,
    });
    expect(await twoFactorStatus(db, auditor.id)).toMatchObject({ enabled: true });
  });
});

describe("two-factor changes racing a password reset", () => {
  it("are refused for a session the reset ended meanwhile", async () => {
    const joining = await newAccount();
    await beginEnrolment(db, joining.id);
    const pending = (await twoFactorStatus(db, joining.id)).pending?.secret ?? "";
    // An authenticator of the session's holder, confirmed while the owner resets the password.
    const enabling = await attemptDuringReset(db, joining.id, () =>
      confirmEnrolment(db, joining, totpCode(decodeBase32(pending)), context),
    );
    expect(enabling).toBe("unauthenticated");
    expect(await twoFactorStatus(db, joining.id)).toMatchObject({ enabled: false });

    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const leaving = await newAccount();
    await enrolWithSecret(db, leaving.id, secret);
    const disabling = await attemptDuringReset(db, leaving.id, () =>
      disableTwoFactor(db, leaving, later(decodeBase32(secret)), context),
    );
    expect(disabling).toBe("unauthenticated");
    expect(await twoFactorStatus(db, leaving.id)).toMatchObject({ enabled: true });
  });
});

describe("sessions", () => {
  it("are valid only under the current session version, which sign-out-everywhere moves", async () => {
    const user = await newAccount("admin");
    expect(await sessionUser(db, user.id, 0)).toMatchObject({
      id: user.id,
      role: "admin",
      twoFactorEnabled: false,
    });
    expect(await sessionUser(db, user.id, undefined)).toBeUndefined();
    await endAllSessions(db, user.id, context);
    expect(await sessionUser(db, user.id, 0)).toBeUndefined();
    expect(await sessionUser(db, user.id, 1)).toMatchObject({ id: user.id });
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, user.id), eq(auditEvents.action, "sign_out_everywhere")));
    expect(event).toMatchObject({ outcome: "ok", data: { sessionVersion: 1 } });
  });
});

describe("enabledTotpSecret", () => {
  it("gives the secret of an account with two-factor on, and nothing before it is confirmed", async () => {
    const admin = await newAccount("admin");
    await beginEnrolment(db, admin.id);
    expect(await enabledTotpSecret(db, admin.email)).toBeUndefined();
    await enrolWithSecret(db, admin.id, "PRIZELEDGERDEMOTWOFACTORSECRETAB");
    expect(await enabledTotpSecret(db, admin.email.toUpperCase())).toBe(
      "PRIZELEDGERDEMOTWOFACTORSECRETAB",
    );
    expect(await enabledTotpSecret(db, "nobody@test.invalid")).toBeUndefined();
    const reads = await db
      .select({ reason: auditEvents.reason })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.action, "two_factor_secret_read"),
          eq(auditEvents.subject, `user:${admin.id}`),
        ),
      );
    expect(reads).toEqual([{ reason: "console" }]);
  });
});
