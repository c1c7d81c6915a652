import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { attemptSignIn } from "@/lib/auth/sign-in";
import { connectTestDb } from "@/test/db";
import { recordEvent, recordEvents } from "./record-event";

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

describe("recordEvents", () => {
  it("keeps a batch on record whatever text its events quote: reasons, headers, data keys", async () => {
    await recordEvents(db, [
      { action: "test_batch_plain", subject: "plain", outcome: "ok" },
      {
        action: "test_batch_odd",
        subject: "odd",
        outcome: "refused",
        reason: "typed\u0000reason",
        userAgent: "agent\u0000x",
        requestId: "req\u0000id",
        data: { "key\u0000nul": 1, nested: { "lone\uDC00": ["v\uD800"] }, big: 12n },
      },
    ]);
    const rows = await db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.action} in ('test_batch_plain', 'test_batch_odd')`);
    expect(rows.map((r) => r.subject).sort()).toEqual(["odd", "plain"]);
    expect(rows.find((r) => r.subject === "odd")).toMatchObject({
      reason: "typed\uFFFDreason",
      userAgent: "agent\uFFFDx",
      requestId: "req\uFFFDid",
      data: { "key\uFFFDnul": 1, nested: { "lone\uFFFD": ["v\uFFFD"] }, big: "12" },
    });
  });

  it("keeps an event whose address is not one, with the port stripped or no address", async () => {
    await recordEvents(
      db,
      ["1.2.3.4:5678", "1.2.3.4.5", "::::", "[2001:db8::1]:443"].map((ip) => ({
        action: "test_address",
        subject: ip,
        outcome: "ok" as const,
        ip,
      })),
    );
    const rows = await db
      .select({ subject: auditEvents.subject, ip: auditEvents.ip })
      .from(auditEvents)
      .where(eq(auditEvents.action, "test_address"));
    expect(Object.fromEntries(rows.map((r) => [r.subject, r.ip]))).toEqual({
      "1.2.3.4:5678": "1.2.3.4",
      "1.2.3.4.5": null,
      "::::": null,
      "[2001:db8::1]:443": "2001:db8::1",
    });
  });

  it("records a sign-in from a load balancer that appends the port", async () => {
    await attemptSignIn(
      db,
      { email: "nobody-port@example.test", password: "whatever" },
      { ip: "203.0.113.9:40123", userAgent: "test" },
    );
    const [row] = await db
      .select({ ip: auditEvents.ip })
      .from(auditEvents)
      .where(eq(auditEvents.subject, "email:nobody-port@example.test"));
    expect(row?.ip).toBe("203.0.113.9");
  });
});
