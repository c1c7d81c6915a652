import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { excludedRegions, rgExclusions } from "@/db/schema";
import { connectTestDb, createPlayers } from "@/test/db";
import { refusalOf } from "@/test/refusal";
import { claimDailyBonus, grantCoins, issueMailInCodes, redeemMailInCode } from "./free-coins";
import { getBalances } from "./wallet";

const db = connectTestDb(4);

const codeOf = (work: Promise<unknown>) => refusalOf(work, "ok");

describe("free coins", () => {
  it("the daily bonus credits SC once per UTC day, all of it to play through", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const morning = new Date("2026-03-01T00:00:01Z");
    const bonus = await claimDailyBonus(db, { userId: player, amount: 100, now: morning });
    expect(bonus.nextAt.toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(
      await codeOf(
        claimDailyBonus(db, { userId: player, amount: 100, now: new Date("2026-03-01T23:59Z") }),
      ),
    ).toBe("already_claimed");
    await claimDailyBonus(db, { userId: player, amount: 100, now: new Date("2026-03-02T00:00Z") });
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 200, redeemableSC: 0 });
  });

  it("concurrent daily claims credit once", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const now = new Date("2026-04-01T12:00:00Z");
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        codeOf(claimDailyBonus(db, { userId: player, amount: 100, now })),
      ),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect((await getBalances(db, player)).SC).toBe(100);
  });

  it("refuses free SC in an excluded region and during a cool-off", async () => {
    const [inRegion = "", coolingOff = ""] = await createPlayers(db, 2);
    await db.execute(sql`update users set region = 'ZZ' where id = ${inRegion}`);
    await db.insert(excludedRegions).values({ code: "ZZ", sweepsOnly: true });
    expect(await codeOf(claimDailyBonus(db, { userId: inRegion, amount: 100 }))).toBe(
      "not_eligible:region",
    );
    await db
      .insert(rgExclusions)
      .values({ userId: coolingOff, kind: "cool_off", endsAt: new Date(Date.now() + 86_400_000) });
    expect(await codeOf(claimDailyBonus(db, { userId: coolingOff, amount: 100 }))).toBe(
      "self_excluded",
    );
  });

  it("a mail-in code credits its SC once, whoever tries it again", async () => {
    const [admin = "", alice = "", bob = ""] = await createPlayers(db, 3);
    const { codes } = await issueMailInCodes(db, {
      adminId: admin,
      count: 2,
      amount: 500,
      note: "t",
    });
    expect(codes[0]).toMatch(/^MAIL-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    const typed = ` ${codes[0]?.toLowerCase().replaceAll("-", " ")} `;
    expect(await redeemMailInCode(db, { userId: alice, code: typed })).toEqual({ amount: 500 });
    expect(await codeOf(redeemMailInCode(db, { userId: bob, code: codes[0] ?? "" }))).toBe(
      "code_used",
    );
    expect(await codeOf(redeemMailInCode(db, { userId: alice, code: codes[0] ?? "" }))).toBe(
      "code_used",
    );
    expect(await codeOf(redeemMailInCode(db, { userId: bob, code: "MAIL-NOPE" }))).toBe(
      "invalid_code",
    );
    expect(await getBalances(db, alice)).toEqual({ GC: 0, SC: 500, redeemableSC: 0 });
    // Only the hash is kept.
    const [row] = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from mail_in_codes where encode(code_hash, 'escape') like 'MAIL%'`,
    );
    expect(Number(row?.n)).toBe(0);
  });

  it("an admin grant needs a reason, moves coins once per key and is audited", async () => {
    const [admin = "", player = ""] = await createPlayers(db, 2);
    const grant = {
      adminId: admin,
      userId: player,
      currency: "GC" as const,
      amount: 2500,
      reason: "goodwill",
      idempotencyKey: "k1",
    };
    const first = await grantCoins(db, grant);
    const again = await grantCoins(db, grant);
    expect(again).toEqual({ transactionId: first.transactionId, replayed: true });
    expect(await codeOf(grantCoins(db, { ...grant, amount: 1 }))).toBe("idempotency_mismatch");
    expect(await codeOf(grantCoins(db, { ...grant, idempotencyKey: "k2", reason: " " }))).toBe(
      "invalid_input",
    );
    expect(await getBalances(db, player)).toEqual({ GC: 2500, SC: 0, redeemableSC: 0 });
    const [event] = await db.execute<{ reason: string }>(
      sql`select reason from audit_events where action = 'wallet.grant' and subject = ${player}`,
    );
    expect(event?.reason).toBe("goodwill");
  });

  it("refuses free SC to a player with no declared region, telling them to declare it", async () => {
    const [admin = "", player = ""] = await createPlayers(db, 2);
    await db.execute(sql`update users set region = null where id = ${player}`);
    const refusal = await claimDailyBonus(db, { userId: player, amount: 100 }).catch((e) => e);
    expect(refusal).toMatchObject({
      code: "not_eligible",
      details: { reason: "not_eligible:region" },
      message: expect.stringMatching(/^Declare your region on your account page/),
    });
    const { codes } = await issueMailInCodes(db, {
      adminId: admin,
      count: 1,
      amount: 500,
      note: "t",
    });
    expect(await codeOf(redeemMailInCode(db, { userId: player, code: codes[0] ?? "" }))).toBe(
      "not_eligible:region",
    );
    expect(await getBalances(db, player)).toEqual({ GC: 0, SC: 0, redeemableSC: 0 });
    // The refused code is still there for the player once they declare a region.
    await db.execute(sql`update users set region = 'US' where id = ${player}`);
    expect(await redeemMailInCode(db, { userId: player, code: codes[0] ?? "" })).toEqual({
      amount: 500,
    });
  });

  it("an admin grants SC only to players whose region is open to it, GC to anyone", async () => {
    const [admin = "", undeclared = "", excluded = ""] = await createPlayers(db, 3);
    await db.execute(sql`update users set region = null where id = ${undeclared}`);
    await db.execute(sql`update users set region = 'YY' where id = ${excluded}`);
    await db.insert(excludedRegions).values({ code: "YY", sweepsOnly: true });
    const grant = { adminId: admin, amount: 100, reason: "goodwill" };
    for (const userId of [undeclared, excluded]) {
      const refused = grantCoins(db, {
        ...grant,
        userId,
        currency: "SC",
        idempotencyKey: `s${userId}`,
      });
      expect(await codeOf(refused)).toBe("not_eligible:region");
      await grantCoins(db, { ...grant, userId, currency: "GC", idempotencyKey: `g${userId}` });
      expect(await getBalances(db, userId)).toEqual({ GC: 100, SC: 0, redeemableSC: 0 });
    }
  });
});
