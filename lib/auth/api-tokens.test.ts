import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiTokens, auditEvents, users } from "@/db/schema";
import { env } from "@/lib/config/env";
import { connectTestDb } from "@/test/db";
import { inOneWindow } from "@/test/rate-windows";
import { attemptDuringReset } from "@/test/reset-race";
import {
  createApiTokenForUser,
  createApiTokenWithPassword,
  issueApiToken,
  listApiTokens,
  revokeApiToken,
  userForApiToken,
} from "./api-tokens";
import { createAccount } from "./create-account";
import { tokenOptionsSchema } from "./model";
import { decodeBase32, totpCode } from "./totp";
import { enrolWithSecret } from "./two-factor";

const db = connectTestDb();
const PASSWORD = "correct horse battery";
const context = { ip: "203.0.113.9", userAgent: "vitest" };
let counter = 0;

async function newAccount() {
  counter += 1;
  const email = `tokens-${counter}-${Date.now()}@test.invalid`;
  return createAccount(db, { email, password: PASSWORD });
}

const DAY = 86_400_000;

describe("API tokens", () => {
  it("expire after the chosen number of days (30 by default), 1 to 365", async () => {
    const user = await newAccount();
    const week = await issueApiToken(db, user.id, { name: "ci", expiresInDays: 7 });
    const standard = await issueApiToken(db, user.id);
    expect(Math.round((week.expiresAt.getTime() - Date.now()) / DAY)).toBe(7);
    expect(Math.round((standard.expiresAt.getTime() - Date.now()) / DAY)).toBe(30);
    expect(tokenOptionsSchema.safeParse({ expiresInDays: 0 }).success).toBe(false);
    expect(tokenOptionsSchema.safeParse({ expiresInDays: 366 }).success).toBe(false);
    expect(tokenOptionsSchema.safeParse({ expiresInDays: 1.5 }).success).toBe(false);
    expect(tokenOptionsSchema.safeParse({ expiresInDays: 365 }).success).toBe(true);
  });

  it("lists the owner's tokens with their status, never a hash", async () => {
    const user = await newAccount();
    const other = await newAccount();
    const live = await createApiTokenForUser(
      db,
      { ...user, sessionVersion: 0 },
      { name: "laptop" },
      context,
    );
    const old = await issueApiToken(db, user.id, { name: "old" });
    await db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, old.id));
    await issueApiToken(db, other.id, { name: "not mine" });
    const tokens = await listApiTokens(db, user.id);
    expect(tokens.map((t) => [t.name, t.status]).sort()).toEqual([
      ["laptop", "active"],
      ["old", "expired"],
    ]);
    for (const token of tokens) expect(Object.keys(token)).not.toContain("tokenHash");
    expect(await userForApiToken(db, old.token)).toBeUndefined();
    expect(await userForApiToken(db, live.token)).toMatchObject({
      id: user.id,
      tokenId: live.id,
      twoFactorEnabled: false,
    });
  });

  it("notes the last use at most once a minute", async () => {
    const user = await newAccount();
    const issued = await issueApiToken(db, user.id);
    await userForApiToken(db, issued.token);
    const [first] = await listApiTokens(db, user.id);
    expect(first?.lastUsedAt).toBeInstanceOf(Date);
    await userForApiToken(db, issued.token);
    const [second] = await listApiTokens(db, user.id);
    expect(second?.lastUsedAt).toEqual(first?.lastUsedAt);
  });

  it("revokes only the owner's token (another's is not found), and audits it", async () => {
    const user = await newAccount();
    const other = await newAccount();
    const issued = await issueApiToken(db, user.id, { name: "phone" });
    await expect(revokeApiToken(db, other.id, issued.id, context)).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(revokeApiToken(db, user.id, "not-a-uuid", context)).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await userForApiToken(db, issued.token)).toBeDefined();
    await revokeApiToken(db, user.id, issued.id, { ...context, tokenId: issued.id });
    expect(await userForApiToken(db, issued.token)).toBeUndefined();
    const [listed] = await listApiTokens(db, user.id);
    expect(listed?.status).toBe("revoked");
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, user.id), eq(auditEvents.action, "token_revoke")));
    expect(event).toMatchObject({
      subject: `token:${issued.id}`,
      tokenId: issued.id,
      outcome: "ok",
    });
  });

  it("are created with the password through a full sign-in", async () => {
    const user = await newAccount();
    await expect(
      createApiTokenWithPassword(db, { email: user.email, password: "wrong" }, {}, context),
    ).rejects.toMatchObject({ code: "invalid_credentials", status: 401 });
    const issued = await createApiTokenWithPassword(
      db,
      { email: user.email, password: PASSWORD },
      { name: "script", expiresInDays: 90 },
      context,
    );
    expect(issued).toMatchObject({ name: "script", role: "player" });
    expect(await userForApiToken(db, issued.token)).toMatchObject({ id: user.id });
  });

  it("are not made for an account a reset or suspension changed while the password was checked", async () => {
    const user = await newAccount();
    const credentials = { email: user.email, password: PASSWORD };
    // The password still checks out against the committed row; the token waits for the lock.
    const outcome = await attemptDuringReset(db, user.id, () =>
      createApiTokenWithPassword(db, credentials, {}, context),
    );
    expect(outcome).toBe("unauthenticated");
    expect(await listApiTokens(db, user.id)).toEqual([]);

    await db.update(users).set({ suspendedAt: new Date() }).where(eq(users.id, user.id));
    await expect(issueApiToken(db, user.id)).rejects.toMatchObject({ code: "unauthenticated" });
    await db.update(users).set({ suspendedAt: null }).where(eq(users.id, user.id));
    await expect(issueApiToken(db, user.id, {}, 0)).rejects.toMatchObject({
      code: "unauthenticated",
    });
    expect(await issueApiToken(db, user.id, {}, 1)).toMatchObject({ name: "api" });
  });

  it("are not made on the account page for a session a reset ended meanwhile", async () => {
    const user = { ...(await newAccount()), sessionVersion: 0 };
    // The session was checked (version 0, current) before the reset began.
    const outcome = await attemptDuringReset(db, user.id, () =>
      createApiTokenForUser(db, user, { name: "stolen" }, context),
    );
    expect(outcome).toBe("unauthenticated");
    expect(await listApiTokens(db, user.id)).toEqual([]);
  });

  it("are made on the account page under the API's token limit for the account", async () => {
    const limit = env().SIGN_IN_RATE_LIMIT;
    const answers = await inOneWindow(db, 300, async () => {
      const user = { ...(await newAccount()), sessionVersion: 0 };
      const answers: string[] = [];
      for (let i = 0; i <= limit; i += 1) {
        // Each from an address of its own: the account's limit, not the address's, is reached.
        const from = { ...context, ip: `198.18.${counter}.${i}` };
        answers.push(
          await createApiTokenForUser(db, user, { name: `t${i}` }, from).then(
            () => "issued",
            (error: { code?: string }) => error.code ?? "thrown",
          ),
        );
      }
      return answers;
    });
    expect(answers.slice(0, limit)).toEqual(Array(limit).fill("issued"));
    expect(answers[limit]).toBe("rate_limited");
  });

  it("ask for the two-factor code when it is on", async () => {
    const user = await newAccount();
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    await enrolWithSecret(db, user.id, secret);
    const credentials = { email: user.email, password: PASSWORD };
    await expect(createApiTokenWithPassword(db, credentials, {}, context)).rejects.toMatchObject({
      code: "otp_required",
      status: 401,
    });
    await expect(
      createApiTokenWithPassword(db, { ...credentials, otp: "ABCDE-FGHJK" }, {}, context),
    ).rejects.toMatchObject({ code: "otp_invalid", status: 401 });
    const otp = totpCode(decodeBase32(secret));
    const issued = await createApiTokenWithPassword(db, { ...credentials, otp }, {}, context);
    expect(await userForApiToken(db, issued.token)).toMatchObject({ twoFactorEnabled: true });
  });
});
