import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { isAppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers } from "@/test/db";
import { exclusionEnd, exclusionSchema, rgSettingsSchema } from "./model";
import { activeRestrictions, assertNotExcluded } from "./restrictions";
import { getResponsibleGaming, setLimits, setSessionReminder, startExclusion } from "./settings";

const db = connectTestDb(5);
const HOUR = 3_600_000;
const t0 = new Date("2026-03-01T12:00:00Z");
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "went through";
}

describe("responsible-gaming limits", () => {
  it("lowers at once and raises or removes only after 24 hours", async () => {
    const [player] = (await createPlayers(db, 1)) as [string];
    const actor = { userId: player };
    const limit = async (now: Date) =>
      (await getResponsibleGaming(db, player, now)).limits.find(
        (l) => l.kind === "wager_sc" && l.period === "day",
      );

    await setLimits(db, [{ kind: "wager_sc", period: "day", amount: 10_000 }], actor, t0);
    expect(await limit(t0)).toMatchObject({ amount: "100.00", pending: null, used: "0.00" });

    await setLimits(db, [{ kind: "wager_sc", period: "day", amount: 5_000 }], actor, at(1));
    expect(await limit(at(1))).toMatchObject({ amount: "50.00", pending: null });

    await setLimits(db, [{ kind: "wager_sc", period: "day", amount: 20_000 }], actor, at(2));
    expect(await limit(at(2))).toMatchObject({
      amount: "50.00",
      pending: { amount: "200.00", from: at(26).toISOString() },
    });
    // Asking for the same raise again does not restart its wait.
    await setLimits(db, [{ kind: "wager_sc", period: "day", amount: 20_000 }], actor, at(3));
    expect((await limit(at(3)))?.pending?.from).toBe(at(26).toISOString());
    expect((await activeRestrictions(db, [player], at(25.9))).get(player)?.limits).toEqual([
      { kind: "wager_sc", period: "day", amount: 5_000 },
    ]);
    expect((await activeRestrictions(db, [player], at(26))).get(player)?.limits).toEqual([
      { kind: "wager_sc", period: "day", amount: 20_000 },
    ]);
    expect(await limit(at(26))).toMatchObject({ amount: "200.00", pending: null });

    // Removing waits too; lowering during the wait cancels it.
    await setLimits(db, [{ kind: "wager_sc", period: "day", amount: null }], actor, at(30));
    expect(await limit(at(30))).toMatchObject({
      amount: "200.00",
      pending: { amount: null, from: at(54).toISOString() },
    });
    await setLimits(db, [{ kind: "wager_sc", period: "day", amount: 1_000 }], actor, at(31));
    expect(await limit(at(60))).toMatchObject({ amount: "10.00", pending: null });

    const events = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.actorId, player))
      .orderBy(auditEvents.id);
    expect(events.map((e) => e.action)).toEqual(Array(5).fill("rg_limit_set"));
    expect(events[2]?.data).toEqual({
      before: { amount: "50.00", pendingAmount: null, pendingFrom: null },
      after: { amount: "50.00", pendingAmount: "200.00", pendingFrom: at(26).toISOString() },
    });
  });

  it("parses amounts as decimal strings and refuses anything else", () => {
    const parse = (amount: unknown) =>
      rgSettingsSchema.safeParse({ limits: [{ kind: "purchase", period: "week", amount }] });
    expect(parse("25.5").data?.limits?.[0]?.amount).toBe(2_550);
    expect(parse(null).data?.limits?.[0]?.amount).toBeNull();
    for (const bad of ["0", "-1.00", "1.001", 5, "1e3", "", "99999999999999999"]) {
      expect(parse(bad).success).toBe(false);
    }
    expect(rgSettingsSchema.safeParse({}).success).toBe(false);
    expect(rgSettingsSchema.safeParse({ sessionReminderMinutes: 7 }).success).toBe(false);
    expect(rgSettingsSchema.safeParse({ sessionReminderMinutes: null }).success).toBe(true);
  });
});

describe("cool-off and self-exclusion", () => {
  it("refuses while one is in force, never shortens one, and lets a longer one extend it", async () => {
    const [player] = (await createPlayers(db, 1)) as [string];
    const actor = { userId: player, ip: "127.0.0.1" };
    await startExclusion(db, { kind: "cool_off", days: 2 }, actor, t0);
    expect(await refusal(assertNotExcluded(db, player, at(47)))).toBe(
      "self_excluded: You are in a cool-off until 2026-03-03 12:00 UTC",
    );
    expect(await refusal(assertNotExcluded(db, player, at(48)))).toBe("went through");
    expect(await refusal(startExclusion(db, { kind: "cool_off", days: 1 }, actor, at(1)))).toMatch(
      /^already_excluded/,
    );
    const view = await startExclusion(
      db,
      { kind: "self_exclusion", term: "permanent" },
      actor,
      at(2),
    );
    expect(view.exclusion).toEqual({
      kind: "self_exclusion",
      startsAt: at(2).toISOString(),
      endsAt: null,
    });
    expect(await refusal(assertNotExcluded(db, player, at(24 * 365 * 50)))).toBe(
      "self_excluded: You are in a self-exclusion with no end date",
    );
    expect(
      await refusal(startExclusion(db, { kind: "self_exclusion", term: "5_years" }, actor, at(3))),
    ).toMatch(/^already_excluded/);
    const events = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.actorId, player))
      .orderBy(auditEvents.id);
    expect(events.map((e) => [e.action, e.data?.kind])).toEqual([
      ["rg_exclusion_start", "cool_off"],
      ["rg_exclusion_start", "self_exclusion"],
    ]);
  });

  it("ends terms on calendar months and accepts only the terms offered", () => {
    const start = new Date("2026-01-31T10:00:00Z");
    expect(exclusionEnd(start, { kind: "self_exclusion", term: "6_months" })?.toISOString()).toBe(
      "2026-07-31T10:00:00.000Z",
    );
    expect(exclusionEnd(start, { kind: "cool_off", days: 42 })?.toISOString()).toBe(
      "2026-03-14T10:00:00.000Z",
    );
    for (const bad of [
      { kind: "cool_off", days: 0 },
      { kind: "cool_off", days: 43 },
      { kind: "cool_off", days: 1.5 },
      { kind: "self_exclusion", term: "1_month" },
      { kind: "lift" },
    ]) {
      expect(exclusionSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe("session reminder", () => {
  it("is set, cleared and audited only when it changes", async () => {
    const [player] = (await createPlayers(db, 1)) as [string];
    const actor = { userId: player };
    expect((await setSessionReminder(db, 30, actor, t0)).sessionReminderMinutes).toBe(30);
    await setSessionReminder(db, 30, actor, t0);
    expect((await setSessionReminder(db, null, actor, t0)).sessionReminderMinutes).toBeNull();
    const events = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.actorId, player))
      .orderBy(auditEvents.id);
    expect(events.map((e) => e.data)).toEqual([
      { before: null, after: 30 },
      { before: 30, after: null },
    ]);
  });
});
