import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { drops, idempotencyKeys, lotteryWinNotices, redemptions, users } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { enterLottery } from "@/lib/lottery/lottery";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { memoryLog } from "@/test/memory-log";
import {
  purgeIdempotencyKeys,
  refreshLoyaltyTiers,
  runMaintenanceRound,
  TIER_THRESHOLDS,
} from "./maintenance";

const db = connectTestDb(10);

describe("maintenance jobs", () => {
  it("raises loyalty tiers from activity and never lowers them", async () => {
    const [active, quiet] = await createPlayers(db, 2);
    const [goldAlready] = await createPlayers(db, 1, { loyaltyTier: "gold" });
    for (let i = 0; i < TIER_THRESHOLDS.silver; i++) {
      const { dropId } = await createTestDrop(db, { units: 1 });
      await claimDrop(db, { dropId, playerId: active as string });
    }
    await refreshLoyaltyTiers(db);
    const rows = await db
      .select({ id: users.id, tier: users.loyaltyTier })
      .from(users)
      .where(inArray(users.id, [active, quiet, goldAlready] as string[]));
    const tier = (id: string | undefined) => rows.find((r) => r.id === id)?.tier;
    expect(tier(active)).toBe("silver");
    expect(tier(quiet)).toBe("bronze");
    expect(tier(goldAlready)).toBe("gold");
  });

  it("forgets idempotency answers only after 48 hours", async () => {
    const [playerId] = await createPlayers(db, 1);
    await db.insert(idempotencyKeys).values([
      {
        playerId: playerId as string,
        key: "old",
        requestHash: new Uint8Array(),
        status: 201,
        response: {},
        createdAt: sql`now() - interval '49 hours'`,
      },
      {
        playerId: playerId as string,
        key: "day",
        requestHash: new Uint8Array(),
        status: 201,
        response: {},
        createdAt: sql`now() - interval '25 hours'`,
      },
    ]);
    expect(await purgeIdempotencyKeys(db)).toBeGreaterThanOrEqual(1);
    const left = await db
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.playerId, playerId as string));
    expect(left.map((k) => k.key)).toEqual(["day"]);
  });

  it("draws and mails winners in a round whose expiries fail", async () => {
    const [claimer, entrant] = (await createPlayers(db, 2)) as [string, string];
    const physical = await createTestDrop(db, { units: 1, kind: "physical" });
    const { redemption } = await claimDrop(db, { dropId: physical.dropId, playerId: claimer });
    await db
      .update(redemptions)
      .set({ actionDeadline: sql`now() - interval '1 second'` })
      .where(eq(redemptions.id, redemption.id));
    const lottery = await createTestDrop(db, { units: 1, allocation: "lottery" });
    await enterLottery(db, { dropId: lottery.dropId, playerId: entrant });
    await db
      .update(drops)
      .set({ endsAt: sql`now() - interval '1 second'` })
      .where(eq(drops.id, lottery.dropId));
    await db.execute(sql`
      create function refuse_expiry() returns trigger language plpgsql as $$
      begin raise exception 'expiries are refused in this test'; end $$`);
    await db.execute(sql`
      create trigger refuse_expiry before update on redemptions
      for each row when (new.status = 'expired') execute function refuse_expiry()`);

    const { log, lines } = memoryLog();
    const clock = { lastTiers: Date.now(), lastPurge: Date.now() };
    await runMaintenanceRound(db, log, clock);
    const failed = lines.filter((l) => l.event === "task_failed_will_retry");
    expect(failed.map((l) => [l.level, l.task])).toEqual([["error", "expire_claims"]]);
    expect(lines).toContainEqual(
      expect.objectContaining({ event: "lottery_drawn", dropId: lottery.dropId, winners: 1 }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ event: "winners_mailed", count: 1 }));
    const [won] = await db
      .select({ mailedAt: lotteryWinNotices.mailedAt })
      .from(lotteryWinNotices)
      .innerJoin(redemptions, eq(redemptions.id, lotteryWinNotices.redemptionId))
      .where(eq(redemptions.dropId, lottery.dropId));
    expect(won?.mailedAt).not.toBeNull();

    await db.execute(sql`drop trigger refuse_expiry on redemptions`);
    await runMaintenanceRound(db, log, clock);
    expect(lines).toContainEqual(
      expect.objectContaining({ event: "claims_expired_units_returned", count: 1 }),
    );
  });
});
