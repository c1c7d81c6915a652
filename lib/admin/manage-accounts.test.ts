import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, users } from "@/db/schema";
import { issueApiToken, userForApiToken } from "@/lib/auth/api-tokens";
import { sessionUser } from "@/lib/auth/sessions";
import { AppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers } from "@/test/db";
import { changeAccount, getAccountDetail, searchAccounts } from "./manage-accounts";
import { accountChangeSchema, accountSearchSchema } from "./model";

const db = connectTestDb(10);

async function one(overrides = {}): Promise<string> {
  const [id] = await createPlayers(db, 1, overrides);
  if (!id) throw new Error("no account");
  return id;
}

async function eventsAbout(id: string) {
  return db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.subject, `user:${id}`))
    .orderBy(auditEvents.id);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "done";
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe("admin account changes", () => {
  it("changes a role and records before and after with the request's address", async () => {
    const admin = await one({ role: "admin" });
    const player = await one();
    const detail = await changeAccount(db, {
      actorId: admin,
      accountId: player,
      change: { role: "auditor" },
      ip: "203.0.113.9",
      userAgent: "test",
    });
    expect(detail.role).toBe("auditor");
    const [event] = await eventsAbout(player);
    expect(event).toMatchObject({
      actorId: admin,
      action: "account_role_change",
      outcome: "ok",
      ip: "203.0.113.9",
      data: { before: { role: "player" }, after: { role: "auditor" } },
    });
  });

  it("refuses an admin changing their own role, and records the refusal", async () => {
    const admin = await one({ role: "admin" });
    await one({ role: "admin" });
    expect(
      await refusal(
        changeAccount(db, { actorId: admin, accountId: admin, change: { role: "player" } }),
      ),
    ).toBe("own_account");
    const [row] = await db.select().from(users).where(eq(users.id, admin));
    expect(row?.role).toBe("admin");
    const events = await eventsAbout(admin);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: "refused", reason: "own_account" });
  });

  it("never demotes the last admin, even when two admins demote each other at once", async () => {
    // Ten pairs, each the only admins, demoting each other at once: never a deadlock, never none.
    for (let round = 0; round < 10; round++) {
      await db.update(users).set({ role: "player" }).where(eq(users.role, "admin"));
      const [c, d] = await createPlayers(db, 2, { role: "admin" });
      if (!c || !d) throw new Error("no admins");
      const race = await Promise.all([
        refusal(changeAccount(db, { actorId: c, accountId: d, change: { role: "player" } })),
        refusal(changeAccount(db, { actorId: d, accountId: c, change: { role: "player" } })),
      ]);
      expect(race.sort()).toEqual(["done", "last_admin"]);
    }
    const admins = await db.select().from(users).where(eq(users.role, "admin"));
    expect(admins).toHaveLength(1);
  });

  it("suspends with a reason, ending the account's sessions and tokens for good, and unsuspends", async () => {
    const admin = await one({ role: "admin" });
    const player = await one();
    const tokens = [await issueApiToken(db, player), await issueApiToken(db, player)];
    expect(await sessionUser(db, player, 0)).toBeDefined();
    const suspended = await changeAccount(db, {
      actorId: admin,
      accountId: player,
      change: { suspended: true, suspendedReason: "chargeback fraud" },
    });
    expect(suspended).toMatchObject({ suspended: true, suspendedReason: "chargeback fraud" });
    expect(suspended.sessionVersion).toBe(1);
    expect(suspended.suspendedAt).not.toBeNull();
    expect(await sessionUser(db, player, 1)).toBeUndefined();
    for (const { token } of tokens) expect(await userForApiToken(db, token)).toBeUndefined();

    const back = await changeAccount(db, {
      actorId: admin,
      accountId: player,
      change: { suspended: false },
    });
    expect(back).toMatchObject({ suspended: false, suspendedReason: null, sessionVersion: 1 });
    // Sessions and tokens from before the suspension stay dead; a fresh sign-in works.
    expect(await sessionUser(db, player, 0)).toBeUndefined();
    for (const { token } of tokens) expect(await userForApiToken(db, token)).toBeUndefined();
    expect(await sessionUser(db, player, 1)).toBeDefined();

    const events = await eventsAbout(player);
    expect(events.map((e) => e.action)).toEqual(["account_suspend", "account_unsuspend"]);
    expect(events[0]?.data).toEqual({
      before: { suspended: false, suspendedReason: null, sessionVersion: 0 },
      after: { suspended: true, suspendedReason: "chargeback fraud", sessionVersion: 1 },
      tokensRevoked: 2,
    });
    expect(events[1]?.data).toEqual({
      before: { suspended: true, suspendedReason: "chargeback fraud", sessionVersion: 1 },
      after: { suspended: false, suspendedReason: null, sessionVersion: 1 },
    });
  });

  it("refuses an admin suspending themselves or the last admin who can act", async () => {
    await db.update(users).set({ role: "player" }).where(eq(users.role, "admin"));
    const [a, b] = await createPlayers(db, 2, { role: "admin" });
    if (!a || !b) throw new Error("no admins");
    const suspend = { suspended: true, suspendedReason: "test" };
    expect(await refusal(changeAccount(db, { actorId: a, accountId: a, change: suspend }))).toBe(
      "own_account",
    );
    expect(await refusal(changeAccount(db, { actorId: a, accountId: b, change: suspend }))).toBe(
      "done",
    );
    // b is suspended: demoting or suspending a would leave no admin who can act.
    expect(await refusal(changeAccount(db, { actorId: b, accountId: a, change: suspend }))).toBe(
      "last_admin",
    );
    expect(
      await refusal(changeAccount(db, { actorId: b, accountId: a, change: { role: "player" } })),
    ).toBe("last_admin");
    const [row] = await db.select().from(users).where(eq(users.id, a));
    expect(row).toMatchObject({ role: "admin", suspendedAt: null });
  });

  it("flags with a reason and unflags; a change that changes nothing writes nothing", async () => {
    const admin = await one({ role: "admin" });
    const player = await one();
    await changeAccount(db, {
      actorId: admin,
      accountId: player,
      change: { flagged: true, flaggedReason: "shares a card with 4 accounts" },
    });
    await changeAccount(db, {
      actorId: admin,
      accountId: player,
      change: { flagged: true, flaggedReason: "shares a card with 4 accounts" },
    });
    await changeAccount(db, { actorId: admin, accountId: player, change: { flagged: false } });
    await changeAccount(db, { actorId: admin, accountId: player, change: { role: "player" } });
    const events = await eventsAbout(player);
    expect(events.map((e) => [e.action, e.data])).toEqual([
      [
        "account_flag",
        {
          before: { flagged: false, flaggedReason: null },
          after: { flagged: true, flaggedReason: "shares a card with 4 accounts" },
        },
      ],
      [
        "account_unflag",
        {
          before: { flagged: true, flaggedReason: "shares a card with 4 accounts" },
          after: { flagged: false, flaggedReason: null },
        },
      ],
    ]);
  });

  it("requires a reason to flag or suspend", () => {
    const flag = accountChangeSchema.safeParse({ flagged: true, flaggedReason: "  " });
    expect(flag.success).toBe(false);
    expect(flag.error?.issues[0]?.path).toEqual(["flaggedReason"]);
    const suspend = accountChangeSchema.safeParse({ suspended: true });
    expect(suspend.error?.issues[0]?.path).toEqual(["suspendedReason"]);
    expect(accountChangeSchema.safeParse({}).success).toBe(false);
    expect(accountChangeSchema.safeParse({ role: "root" }).success).toBe(false);
    expect(
      accountChangeSchema.safeParse({ suspended: true, suspendedReason: "x\u0000" }).success,
    ).toBe(false);
    expect(accountSearchSchema.safeParse({ q: "\u0000" }).success).toBe(false);
  });

  it("answers not_found for an unknown or malformed id", async () => {
    const admin = await one({ role: "admin" });
    for (const accountId of ["nope", "00000000-0000-4000-8000-000000000000"]) {
      expect(
        await refusal(changeAccount(db, { actorId: admin, accountId, change: { role: "player" } })),
      ).toBe("not_found");
    }
    expect(await getAccountDetail(db, "nope")).toBeUndefined();
  });
});

describe("account search and detail", () => {
  it("finds accounts by substring, role and state, a page at a time in email order", async () => {
    const ids = await createPlayers(db, 5, { displayName: "Searchable Sam" });
    const flagged = ids[0] as string;
    await db
      .update(users)
      .set({ flaggedAt: new Date(), flaggedReason: "x" })
      .where(eq(users.id, flagged));
    const all = await searchAccounts(db, accountSearchSchema.parse({ q: "searchable" }));
    expect(all.accounts.map((a) => a.id).sort()).toEqual([...ids].sort());

    const first = await searchAccounts(
      db,
      accountSearchSchema.parse({ q: "SEARCHABLE", limit: 2 }),
    );
    expect(first.accounts).toHaveLength(2);
    expect(first.nextAfter).toBe(first.accounts[1]?.email.toLowerCase());
    const second = await searchAccounts(
      db,
      accountSearchSchema.parse({ q: "searchable", limit: 2, after: first.nextAfter }),
    );
    const third = await searchAccounts(
      db,
      accountSearchSchema.parse({ q: "searchable", limit: 2, after: second.nextAfter }),
    );
    expect(third.nextAfter).toBeNull();
    const paged = [...first.accounts, ...second.accounts, ...third.accounts].map((a) => a.email);
    expect(paged).toEqual(all.accounts.map((a) => a.email));

    const onlyFlagged = await searchAccounts(
      db,
      accountSearchSchema.parse({ q: "searchable", flagged: "yes", role: "player" }),
    );
    expect(onlyFlagged.accounts.map((a) => a.id)).toEqual([flagged]);
    const wildcard = await searchAccounts(db, accountSearchSchema.parse({ q: "%" }));
    expect(wildcard.accounts).toHaveLength(0);
  });

  it("lists the other accounts of the same group as linked", async () => {
    const group = "6f1b3a5e-1111-4222-8333-444455556666";
    const [a, b] = await createPlayers(db, 2, { accountGroupId: group });
    const lone = await one();
    const detail = await getAccountDetail(db, a as string);
    expect(detail?.linkedAccounts.map((l) => l.id)).toEqual([b]);
    expect((await getAccountDetail(db, lone))?.linkedAccounts).toEqual([]);
  });
});
