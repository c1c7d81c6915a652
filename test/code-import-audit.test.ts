/**
 * Both doors to a gift-code import (the admin API and the prize page's action) commit the codes
 * and their audit event together: when the audit trail refuses the event, no code is stored.
 * The refusal is a trigger on audit_events in this file's own database, scoped to one prize.
 */
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { prizes, users } from "@/db/schema";
import { codePoolStats } from "@/lib/codes/import-codes";
import { session } from "@/test/auth-stub";
import { type Callers, createCallers, serveRoutesFrom } from "./api-routes";
import { connectTestDb } from "./db";

vi.mock("@/auth", () => import("@/test/auth-stub"));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "192.0.2.9", "user-agent": "vitest" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const db = connectTestDb(4);
let callers: Callers;
let prizeId: string;

beforeAll(async () => {
  process.env.CODE_ENCRYPTION_KEYS ??= `test:${randomBytes(32).toString("base64")}`;
  process.env.CODE_FINGERPRINT_KEY ??= randomBytes(32).toString("base64");
  serveRoutesFrom(db);
  callers = await createCallers(db);
  const [prize] = await db
    .insert(prizes)
    .values({ name: "Audited codes", kind: "gift_card", valueCents: 2500, quantity: 100 })
    .returning({ id: prizes.id });
  if (!prize) throw new Error("no prize");
  prizeId = prize.id;
  await db.execute(sql`
    create function refuse_import_audit() returns trigger language plpgsql as $$
    begin
      if new.subject = ${sql.raw(`'prize:${prizeId}'`)} then raise exception 'audit refused'; end if;
      return new;
    end $$`);
  await db.execute(sql`
    create trigger refuse_import_audit before insert on audit_events
    for each row execute function refuse_import_audit()`);
});

afterAll(async () => {
  await db.execute(sql`drop trigger if exists refuse_import_audit on audit_events`);
});

describe("a gift-code import whose audit event cannot be written", () => {
  it("stores nothing through the admin API", async () => {
    const { POST } = await import("@/app/api/v1/admin/prizes/[id]/codes/route");
    const request = new NextRequest(`http://localhost/api/v1/admin/prizes/${prizeId}/codes`, {
      method: "POST",
      headers: { authorization: `Bearer ${callers.admin.token}`, "content-type": "text/csv" },
      body: "code\nAPI-AUDIT-0001\nAPI-AUDIT-0002\n",
    });
    const response = await POST(request, { params: Promise.resolve({ id: prizeId }) });
    expect(response.status).toBe(500);
    expect(await codePoolStats(db, prizeId)).toEqual({ total: 0, unused: 0 });
  });

  it("stores nothing through the prize page's action, and says so in general words", async () => {
    const { importCodesAction } = await import("@/app/(admin)/admin/prizes/[id]/actions");
    const [admin] = await db
      .select({ role: users.role, sessionVersion: users.sessionVersion })
      .from(users)
      .where(eq(users.id, callers.admin.id));
    session.current = { user: { id: callers.admin.id, email: callers.admin.email, ...admin } };
    const form = new FormData();
    form.set("csv", "code\nFORM-AUDIT-0001\n");
    const state = await importCodesAction(prizeId, {}, form);
    expect(state).toEqual({
      code: "internal",
      error: "Something went wrong on our side: try again",
    });
    expect(await codePoolStats(db, prizeId)).toEqual({ total: 0, unused: 0 });
  });
});
