import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, drops, redemptions, users } from "@/db/schema";
import { recordSignals } from "@/lib/abuse/account-links";
import { rateRules } from "@/lib/abuse/rate-limit";
import { addExcludedRegion } from "@/lib/abuse/regions";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { enterLottery, runDueDraws } from "@/lib/lottery/lottery";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { claimAnswersByWindow } from "@/test/rate-windows";
import { claimDrop } from "./claim-drop";
import { claimAlone, submitClaim } from "./claim-engine";

const db = connectTestDb(30);

async function refusal(promise: Promise<unknown>): Promise<AppError | "claimed"> {
  try {
    await promise;
    return "claimed";
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const result = await refusal(promise);
  return result === "claimed" ? result : String(result.details?.reason ?? result.code);
}

async function onePlayer(overrides = {}): Promise<string> {
  const [id] = await createPlayers(db, 1, overrides);
  if (!id) throw new Error("no player");
  return id;
}

describe("rules of every claim and lottery entry", () => {
  it("refuses suspended, unverified, undeclared, excluded and misplaced players, and says why", async () => {
    const admin = await onePlayer({ role: "admin" });
    await addExcludedRegion(db, { code: "KP", note: "sanctions" }, { actorId: admin });
    const { dropId } = await createTestDrop(db, { units: 10 });
    const cases: Array<[Record<string, unknown>, string | null, string, RegExp]> = [
      [{ suspendedAt: new Date() }, null, "suspended", /suspended/],
      [{ emailVerifiedAt: null }, null, "verified_email", /verify your email/],
      [{ region: null }, null, "profile_incomplete", /declare your region/],
      [{ adultDeclaredAt: null }, null, "profile_incomplete", /18 or older/],
      [{ region: "KP" }, null, "region", /not open in your region/],
      [{ region: "kp" }, null, "region", /not open in your region/],
      [{}, "DE", "location", /another country/],
      [{ region: "DE" }, "KP", "location", /another country/],
    ];
    for (const [change, country, rule, message] of cases) {
      const playerId = await onePlayer(change);
      const refused = await refusal(claimDrop(db, { dropId, playerId, country }));
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: "not_eligible" });
      expect((refused as AppError).details?.reason).toBe(`not_eligible:${rule}`);
      expect((refused as AppError).message).toMatch(message);
      // Kept in the audit trail like every other refusal.
      const [event] = await db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.actorId, playerId), eq(auditEvents.action, "claim")));
      expect(event).toMatchObject({ outcome: "refused", reason: `not_eligible:${rule}` });
    }
    // The country agreeing with the declared region, or unknown, passes.
    expect(
      await reasonOf(claimDrop(db, { dropId, playerId: await onePlayer(), country: "US" })),
    ).toBe("claimed");
    expect(
      await reasonOf(claimDrop(db, { dropId, playerId: await onePlayer(), country: null })),
    ).toBe("claimed");
  });

  it("judges lottery entries and draws by the same rules", async () => {
    const { dropId } = await createTestDrop(db, { units: 3, allocation: "lottery" });
    const suspended = await onePlayer({ suspendedAt: new Date() });
    expect(await reasonOf(enterLottery(db, { dropId, playerId: suspended }))).toBe(
      "not_eligible:suspended",
    );
    const elsewhere = await onePlayer();
    expect(await reasonOf(enterLottery(db, { dropId, playerId: elsewhere, country: "FR" }))).toBe(
      "not_eligible:location",
    );
    const fine = await onePlayer();
    expect(await reasonOf(enterLottery(db, { dropId, playerId: fine, country: "US" }))).toBe(
      "claimed",
    );
  });

  it("limits claims per address across players, shared by every instance", async () => {
    const { dropId } = await createTestDrop(db, { units: 300 });
    const players = await createPlayers(db, 250);
    const outcomes = await Promise.all(
      players.map((playerId) => reasonOf(claimDrop(db, { dropId, playerId, ip: "192.0.2.10" }))),
    );
    // 120 per 10-second window; should the burst straddle two windows, one still holds 125.
    const { limit, windowSeconds } = rateRules.claimPerIp;
    for (const w of await claimAnswersByWindow(db, dropId, windowSeconds)) {
      expect(w.claimed).toBe(Math.min(w.attempts, limit));
      expect(w.rateLimited).toBe(w.attempts - w.claimed);
    }
    expect(outcomes.filter((o) => o === "rate_limited").length).toBeGreaterThan(0);
    // Other addresses are not held back.
    const other = await onePlayer();
    expect(await reasonOf(claimDrop(db, { dropId, playerId: other, ip: "192.0.2.11" }))).toBe(
      "claimed",
    );
  });

  it("counts an IPv6 client's whole /64 as one address", () =>
    withClaimIpLimit(5, async () => {
      const { dropId } = await createTestDrop(db, { units: 50, perPlayerLimit: 1 });
      const players = await createPlayers(db, 24);
      // A new address of the same network for each claim, as anyone with a /64 may take.
      await Promise.all(
        players.map((playerId, i) =>
          reasonOf(claimDrop(db, { dropId, playerId, ip: `2001:db8:7:7:${i + 1}::9` })),
        ),
      );
      const windows = await claimAnswersByWindow(db, dropId, rateRules.claimPerIp.windowSeconds);
      for (const w of windows) expect(w.claimed).toBe(Math.min(w.attempts, 5));
      expect(windows.some((w) => w.rateLimited > 0)).toBe(true);
      const other = await onePlayer();
      expect(
        await reasonOf(claimDrop(db, { dropId, playerId: other, ip: "2001:db8:7:8::9" })),
      ).toBe("claimed");
    }));

  it("has no per-address limit at CLAIM_IP_RATE_LIMIT=0, and still the per-player one", () =>
    withClaimIpLimit(0, async () => {
      const { dropId } = await createTestDrop(db, { units: 200, perPlayerLimit: 1 });
      const players = await createPlayers(db, 150);
      const outcomes = await Promise.all(
        players.map((playerId) => reasonOf(claimDrop(db, { dropId, playerId, ip: "192.0.2.20" }))),
      );
      expect(outcomes.filter((o) => o === "claimed")).toHaveLength(150);
      const [first] = players as [string];
      expect(await reasonOf(claimDrop(db, { dropId, playerId: first, ip: "192.0.2.20" }))).toBe(
        "limit_reached",
      );
      const counters = await db.execute<{ n: number }>(
        sql`select count(*)::int as n from rate_limits where key = 'claim:ip:192.0.2.20'`,
      );
      expect(counters[0]?.n).toBe(0);
    }));
});

/** Runs a test with another CLAIM_IP_RATE_LIMIT, as the parsed environment holds it. */
async function withClaimIpLimit(limit: number, test: () => Promise<void>): Promise<void> {
  const config = env();
  const before = config.CLAIM_IP_RATE_LIMIT;
  config.CLAIM_IP_RATE_LIMIT = limit;
  try {
    await test();
  } finally {
    config.CLAIM_IP_RATE_LIMIT = before;
  }
}

describe("one claim per linked account group", () => {
  async function linkedPlayers(n: number): Promise<string[]> {
    const players = await createPlayers(db, n);
    const device = `dev-${players[0]}`;
    await recordSignals(
      db,
      players.map((userId) => ({ userId, kind: "device" as const, value: device })),
    );
    return players;
  }

  it("refuses a second linked account with linked_account and flags both", async () => {
    const { dropId } = await createTestDrop(db, { units: 10, eligibility: { onePerGroup: true } });
    const [first, second] = await linkedPlayers(2);
    expect(await reasonOf(claimDrop(db, { dropId, playerId: first as string }))).toBe("claimed");
    const refused = await refusal(claimDrop(db, { dropId, playerId: second as string }));
    expect((refused as AppError).details?.reason).toBe("not_eligible:linked_account");
    expect((refused as AppError).message).toMatch(/linked account/);
    const flagged = await db
      .select({ id: users.id, flaggedAt: users.flaggedAt, reason: users.flaggedReason })
      .from(users)
      .where(sql`${users.id} in (${first}, ${second})`);
    expect(
      flagged.every((u) => u.flaggedAt !== null && /Linked accounts/.test(u.reason ?? "")),
    ).toBe(true);
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "account_flag"), eq(auditEvents.reason, "linked_account")));
    expect(events.map((e) => e.subject).sort()).toEqual([`user:${first}`, `user:${second}`].sort());

    // Drops without the rule, and players outside the group, are not affected.
    const open = await createTestDrop(db, { units: 10 });
    expect(await reasonOf(claimDrop(db, { dropId: open.dropId, playerId: second as string }))).toBe(
      "claimed",
    );
    expect(await reasonOf(claimDrop(db, { dropId, playerId: await onePlayer() }))).toBe("claimed");
  });

  it("links accounts by the device they claim from, and by where they ship prizes", async () => {
    const { dropId } = await createTestDrop(db, { units: 10, eligibility: { onePerGroup: true } });
    const [a, b] = (await createPlayers(db, 2)) as [string, string];
    expect(await reasonOf(claimDrop(db, { dropId, playerId: a, deviceId: "same-phone" }))).toBe(
      "claimed",
    );
    expect(await reasonOf(claimDrop(db, { dropId, playerId: b, deviceId: "same-phone" }))).toBe(
      "not_eligible:linked_account",
    );

    const physical = await createTestDrop(db, { units: 5, kind: "physical" });
    const [c, d] = (await createPlayers(db, 2)) as [string, string];
    const address = {
      name: "",
      line1: "9 Elm Road",
      line2: "",
      city: "Leeds",
      postalCode: "LS1",
      country: "GB",
    };
    for (const [playerId, name] of [
      [c, "Carl"],
      [d, "Dana"],
    ] as const) {
      const { redemption } = await claimDrop(db, { dropId: physical.dropId, playerId });
      await confirmShipping(db, playerId, redemption.id, { ...address, name });
    }
    const groups = await db
      .select({ group: users.accountGroupId })
      .from(users)
      .where(sql`${users.id} in (${c}, ${d})`);
    expect(groups[0]?.group).not.toBeNull();
    expect(groups[1]?.group).toBe(groups[0]?.group);
  });

  it("draws one winner per linked group in a lottery, passing over the rest", async () => {
    const { dropId } = await createTestDrop(db, {
      units: 5,
      allocation: "lottery",
      eligibility: { onePerGroup: true },
    });
    const linked = await linkedPlayers(3);
    const single = await onePlayer();
    for (const playerId of [...linked, single]) {
      expect(await reasonOf(enterLottery(db, { dropId, playerId }))).toBe("claimed");
    }
    await db
      .update(drops)
      .set({ endsAt: sql`now() - interval '1 second'` })
      .where(eq(drops.id, dropId));
    expect((await runDueDraws(db)).find((r) => r.dropId === dropId)).toMatchObject({
      entries: 4,
      winners: 2,
      skipped: 2,
    });
    const winners = await db.select().from(redemptions).where(eq(redemptions.dropId, dropId));
    expect(winners.map((w) => w.playerId)).toContain(single);
    expect(winners.filter((w) => linked.includes(w.playerId))).toHaveLength(1);
  });

  it("gives exactly one unit to 20 linked accounts firing at once, across batches and transactions", async () => {
    const { dropId } = await createTestDrop(db, { units: 50, eligibility: { onePerGroup: true } });
    const players = await linkedPlayers(20);
    // Half through the batcher, half each in its own transaction (as separate processes would).
    const outcomes = await Promise.all(
      players.map(async (playerId, i) => {
        const outcome =
          i % 2 === 0
            ? await submitClaim(db, { dropId, playerId })
            : await claimAlone(db, { dropId, playerId });
        return outcome.ok ? "claimed" : outcome.reason;
      }),
    );
    expect(outcomes.filter((o) => o === "claimed")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "not_eligible:linked_account")).toHaveLength(19);
    const rows = await db.select().from(redemptions).where(eq(redemptions.dropId, dropId));
    expect(rows).toHaveLength(1);
  });
});
