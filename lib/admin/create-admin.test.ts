import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { auditEvents } from "@/db/schema";
import { findUserByEmail } from "@/lib/auth/create-account";
import { requireRole } from "@/lib/auth/current-user";
import { sessionUser } from "@/lib/auth/sessions";
import { attemptSignIn } from "@/lib/auth/sign-in";
import { AppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers } from "@/test/db";
import { createAdmin } from "./create-admin";

const db = connectTestDb(5);
const PASSWORD = "correct horse battery";

describe("createAdmin", () => {
  it("makes an admin who signs in with the password but must set up two-factor first", async () => {
    const admin = await createAdmin(db, {
      email: " First.Admin@Example.test ",
      password: PASSWORD,
    });
    expect(admin).toMatchObject({ email: "first.admin@example.test", role: "admin" });

    const signIn = await attemptSignIn(
      db,
      { email: "first.admin@example.test", password: PASSWORD },
      { ip: "203.0.113.7" },
    );
    expect(signIn.ok).toBe(true);
    const session = await sessionUser(db, admin.id, 0);
    expect(session).toMatchObject({ role: "admin", twoFactorEnabled: false });
    expect(() => requireRole(session, "admin")).toThrow(
      expect.objectContaining({ code: "two_factor_required" }),
    );

    const events = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.subject, `user:${admin.id}`));
    expect(events).toEqual([
      expect.objectContaining({
        action: "admin_create",
        actorId: null,
        outcome: "ok",
        data: { email: "first.admin@example.test", via: "console" },
      }),
    ]);
  });

  it("holds the password to the sign-up rules", async () => {
    const attempt = createAdmin(db, { email: "short@example.test", password: "too short" });
    await expect(attempt).rejects.toThrow(ZodError);
    await expect(attempt).rejects.toThrow(/at least 10 characters/);
    await expect(createAdmin(db, { email: "not-an-email", password: PASSWORD })).rejects.toThrow(
      /valid email/,
    );
    expect(await findUserByEmail(db, "short@example.test")).toBeUndefined();
  });

  it("refuses an address that has an account, whatever its case, and leaves it a player", async () => {
    const [playerId] = await createPlayers(db, 1, { email: "taken@example.test" });
    const attempt = createAdmin(db, { email: "TAKEN@example.test", password: PASSWORD });
    await expect(attempt).rejects.toThrow(AppError);
    await expect(attempt).rejects.toThrow(/already exists.*\/admin\/accounts/);
    expect((await findUserByEmail(db, "taken@example.test"))?.role).toBe("player");
    const events = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "admin_create"));
    expect(events.map((e) => e.subject)).not.toContain(`user:${playerId}`);
  });
});
