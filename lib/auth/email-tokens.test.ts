import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailTokens } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers } from "@/test/db";
import { consumeEmailToken, inspectEmailToken, issueEmailToken } from "./email-tokens";

const db = connectTestDb();

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("invalid_link");
  return (error as AppError).details?.reason;
}

describe("email tokens", () => {
  it("stores only a hash, works once and then says it was used", async () => {
    const [userId] = await createPlayers(db, 1);
    const token = await issueEmailToken(db, userId as string, "verify_email");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db
      .select()
      .from(emailTokens)
      .where(eq(emailTokens.userId, userId as string));
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]?.tokenHash ?? []).toString("base64url")).not.toBe(token);
    // Looking does not use it up: link scanners that fetch the page leave it working.
    expect(await inspectEmailToken(db, token, "verify_email")).toEqual({ ok: true, userId });
    expect(await inspectEmailToken(db, token, "verify_email")).toEqual({ ok: true, userId });

    expect(await consumeEmailToken(db, token, "verify_email")).toBe(userId);
    expect(await refusal(consumeEmailToken(db, token, "verify_email"))).toBe("used");
    expect(await inspectEmailToken(db, token, "verify_email")).toEqual({
      ok: false,
      problem: "used",
    });
  });

  it("is used once even when two requests race for it", async () => {
    const [userId] = await createPlayers(db, 1);
    const token = await issueEmailToken(db, userId as string, "reset_password");
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => consumeEmailToken(db, token, "reset_password")),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses an expired token, and lives 48 hours for verification and 1 hour for a reset", async () => {
    const [userId] = await createPlayers(db, 1);
    const verify = await issueEmailToken(db, userId as string, "verify_email");
    const reset = await issueEmailToken(db, userId as string, "reset_password");
    const lifetimes = await db
      .select({
        purpose: emailTokens.purpose,
        seconds: sql<number>`round(extract(epoch from ${emailTokens.expiresAt} - ${emailTokens.createdAt}))::int`,
      })
      .from(emailTokens)
      .where(eq(emailTokens.userId, userId as string));
    expect(Object.fromEntries(lifetimes.map((l) => [l.purpose, l.seconds]))).toEqual({
      verify_email: 48 * 3600,
      reset_password: 3600,
    });

    await db
      .update(emailTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(emailTokens.purpose, "reset_password"));
    expect(await refusal(consumeEmailToken(db, reset, "reset_password"))).toBe("expired");
    expect(await consumeEmailToken(db, verify, "verify_email")).toBe(userId);
  });

  it("refuses a token of another purpose, a made-up one and a malformed one as unknown", async () => {
    const [userId] = await createPlayers(db, 1);
    const token = await issueEmailToken(db, userId as string, "verify_email");
    expect(await refusal(consumeEmailToken(db, token, "reset_password"))).toBe("unknown");
    expect(await refusal(consumeEmailToken(db, "A".repeat(43), "verify_email"))).toBe("unknown");
    expect(await refusal(consumeEmailToken(db, "'; drop table users; --", "verify_email"))).toBe(
      "unknown",
    );
    // The wrong-purpose attempt did not use it up.
    expect(await consumeEmailToken(db, token, "verify_email")).toBe(userId);
  });

  it("a newer token of the same purpose ends the older one, not those of the other purpose", async () => {
    const [userId] = await createPlayers(db, 1);
    const reset = await issueEmailToken(db, userId as string, "reset_password");
    const first = await issueEmailToken(db, userId as string, "verify_email");
    const second = await issueEmailToken(db, userId as string, "verify_email");
    expect(await refusal(consumeEmailToken(db, first, "verify_email"))).toBe("expired");
    expect(await consumeEmailToken(db, second, "verify_email")).toBe(userId);
    expect(await consumeEmailToken(db, reset, "reset_password")).toBe(userId);
  });
});
