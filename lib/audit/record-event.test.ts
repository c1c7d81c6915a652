import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { attemptSignIn } from "@/lib/auth/sign-in";
import { connectTestDb } from "@/test/db";
import { recordEvent } from "./record-event";

const db = connectTestDb();

describe("recordEvent", () => {
  it("records what PostgreSQL cannot store (NUL, unpaired surrogates) as U+FFFD", async () => {
    await recordEvent(db, {
      action: "test_unstorable",
      subject: "email:a\u0000b",
      outcome: "refused",
      data: { typed: "\uD800x", nested: { list: ["ok", "c\u0000"] } },
    });
    const [row] = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "test_unstorable"));
    expect(row?.subject).toBe("email:a\uFFFDb");
    expect(row?.data).toEqual({ typed: "\uFFFDx", nested: { list: ["ok", "c\uFFFD"] } });
  });

  it("keeps a sign-in attempt with a NUL in the email on record instead of failing it", async () => {
    const result = await attemptSignIn(
      db,
      { email: "a\u0000b@example.test", password: "whatever" },
      { ip: "203.0.113.9", userAgent: "test" },
    );
    expect(result).toMatchObject({ ok: false, reason: "invalid_credentials" });
  });
});
